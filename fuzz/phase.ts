/**
 * One phase of a fuzz run: one backend over one transport. `concurrency` workers each take the next case
 * number, generate that case, send it and judge the answer; after every failed answer (a JSON-RPC error or a
 * tool error) the same worker makes a known-good call at once, which must succeed — bad input must not
 * leave the server, the session or the connection worse off. The phase ends when `toolCalls` generated tool
 * calls have been sent (envelopes and known-good calls come on top), or at `deadline`.
 */
import type fc from 'fast-check';
import { caseArbitrary, generateCase, type FuzzCase, type RenderedCase, type ServedTool } from './cases.js';
import type { Channel, Exchange } from './channels.js';
import type { Finding } from './oracle.js';

/** The call that must work after a failure (and that signs a B4B session in). */
export interface KnownGood {
  tool: string;
  args: Record<string, unknown>;
}

/** What a phase needs. */
export interface PhaseSpec {
  transport: 'stdio' | 'http';
  backend: string;
  tools: readonly ServedTool[];
  /** One channel per worker (stdio: the same pipe for all; HTTP: one session each). */
  channels: readonly Channel[];
  knownGood: KnownGood;
  seed: number;
  toolCalls: number;
  timeoutMs: number;
  /** performance.now() after which no new case starts. */
  deadline: number;
  /** Whether the server process is still running. */
  alive(): boolean;
  /** Replay only this case number. */
  onlyCase?: number;
  /** Count JSON-RPC internal errors (-32603) as findings: bad input deserves a named field and rule. */
  strict?: boolean;
  /** Called when a finding is recorded (for live output). */
  onFinding?(finding: Finding): void;
}

/** Counts of one phase. */
export interface PhaseResult {
  transport: string;
  backend: string;
  tools: number;
  /** Generated `tools/call` requests sent. */
  toolCalls: number;
  /** Generated envelopes and notifications sent. */
  envelopes: number;
  /** Known-good calls made after failures. */
  knownGood: number;
  /** Messages sent in all. */
  messages: number;
  durationMs: number;
  messagesPerSec: number;
  /** Answers by kind (result, tool-error, rpc-error <code>, http <status>, …). */
  answers: Record<string, number>;
  /** The first case of each answer kind: what was sent and what came back. */
  examples: Record<string, { caseKind: string; caseIndex: number; sent: string; answer?: string }>;
  /** Generated cases by kind. */
  cases: Record<string, number>;
  /** Whether the run stopped at the deadline before reaching its count. */
  stoppedAtDeadline: boolean;
  serverAlive: boolean;
  /** Every finding of the phase (only the first ones are kept in `findings`). */
  findingCount: number;
  findings: Finding[];
}

const MAX_FINDINGS_KEPT = 50;

/** A stable per-phase seed, so that phases of one run draw different cases. */
function phaseSeed(seed: number, transport: string, backend: string): number {
  let hash = seed | 0;
  for (const char of `${transport}/${backend}`) hash = (Math.imul(hash, 31) + char.charCodeAt(0)) | 0;
  return hash;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Runs one phase. */
export async function runPhase(spec: PhaseSpec): Promise<PhaseResult> {
  const arbitrary: fc.Arbitrary<FuzzCase> = caseArbitrary(spec.tools);
  const seed = phaseSeed(spec.seed, spec.transport, spec.backend);
  const answers: Record<string, number> = {};
  const examples: PhaseResult['examples'] = {};
  const cases: Record<string, number> = {};
  const findings: Finding[] = [];
  let findingCount = 0;
  let nextCase = spec.onlyCase ?? 0;
  const lastCase = spec.onlyCase === undefined ? Number.POSITIVE_INFINITY : spec.onlyCase;
  let toolCalls = 0;
  let envelopes = 0;
  let knownGood = 0;
  let unique = 1000;
  let stoppedAtDeadline = false;
  const started = performance.now();

  const record = (exchange: Exchange, caseKind: string, caseIndex: number, sent: string): void => {
    bump(answers, exchange.kind);
    examples[exchange.kind] ??= {
      caseKind,
      caseIndex,
      sent: sent.slice(0, 300),
      ...(exchange.answer === undefined ? {} : { answer: exchange.answer }),
    };
    const problems =
      spec.strict === true && exchange.kind === 'rpc-error -32603'
        ? [
            ...exchange.problems,
            { kind: 'internal-error', detail: `-32603 for bad input: ${exchange.answer?.slice(0, 200) ?? ''}` },
          ]
        : exchange.problems;
    for (const problem of problems) {
      findingCount += 1;
      const finding: Finding = {
        ...problem,
        transport: spec.transport,
        backend: spec.backend,
        caseKind,
        caseIndex,
        sent: sent.slice(0, 300),
      };
      if (findings.length < MAX_FINDINGS_KEPT) findings.push(finding);
      spec.onFinding?.(finding);
    }
  };

  const knownGoodMessage = (): RenderedCase => {
    unique += 1;
    const id = unique;
    return {
      body: JSON.stringify({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: spec.knownGood.tool, arguments: spec.knownGood.args },
      }),
      expect: { ids: [id], toolCall: true },
    };
  };

  const worker = async (channel: Channel): Promise<void> => {
    for (;;) {
      if (toolCalls >= spec.toolCalls || nextCase > lastCase) return;
      if (performance.now() > spec.deadline) {
        stoppedAtDeadline = true;
        return;
      }
      const index = nextCase;
      nextCase += 1;
      const fuzzCase = generateCase(arbitrary, seed, index);
      bump(cases, fuzzCase.kind);
      if (fuzzCase.kind.startsWith('tool:')) toolCalls += 1;
      else envelopes += 1;
      unique += 1;
      const message = fuzzCase.render(unique);
      const exchange = await channel.exchange(message, spec.timeoutMs);
      record(exchange, fuzzCase.kind, index, message.body);
      if (!exchange.failed && exchange.problems.length === 0) continue;
      knownGood += 1;
      const good = knownGoodMessage();
      const after = await channel.exchange(good, spec.timeoutMs);
      const problems = [...after.problems];
      if (after.kind !== 'result')
        problems.push({ kind: 'known-good-failed', detail: `after case ${index} (${fuzzCase.kind}): ${after.kind}` });
      record({ ...after, problems }, 'known-good', index, good.body);
    }
  };

  await Promise.all(spec.channels.map((channel) => worker(channel)));
  const durationMs = performance.now() - started;
  const serverAlive = spec.alive();
  if (!serverAlive) {
    findingCount += 1;
    findings.push({
      kind: 'server-exited',
      detail: 'the server is not running at the end of the phase',
      transport: spec.transport,
      backend: spec.backend,
    });
  }
  const messages = toolCalls + envelopes + knownGood;
  return {
    transport: spec.transport,
    backend: spec.backend,
    tools: spec.tools.length,
    toolCalls,
    envelopes,
    knownGood,
    messages,
    durationMs,
    messagesPerSec: (messages * 1000) / durationMs,
    answers,
    examples,
    cases,
    stoppedAtDeadline,
    serverAlive,
    findingCount,
    findings:
      findingCount > findings.length
        ? [...findings, { kind: 'more', detail: `${findingCount - findings.length} more finding(s) not kept` }]
        : findings,
  };
}
