/**
 * The fuzz run's results (fuzz/results.json), its printed summary and its section of BENCHMARKS.md.
 */
import type { Finding } from './oracle.js';
import type { PhaseResult } from './phase.js';

/** Everything a run produced. */
export interface FuzzResults {
  date: string;
  command: string;
  seed: number;
  concurrency: number;
  durationSec: number;
  /** Generated tool calls sent, all phases. */
  toolCalls: number;
  /** Messages sent in all (tool calls, envelopes, known-good calls). */
  messages: number;
  findingCount: number;
  /** 1-minute load average of the machine at the end (the fuzzer shares it with the servers and Prism). */
  loadAverage?: number;
  phases: PhaseResult[];
  /** Secrets found in the servers' logs. */
  logFindings: Finding[];
}

const int = (v: number): string => Math.round(v).toLocaleString('en-US');

function mergedAnswers(results: FuzzResults): Array<[string, number]> {
  const total: Record<string, number> = {};
  for (const phase of results.phases)
    for (const [kind, n] of Object.entries(phase.answers)) total[kind] = (total[kind] ?? 0) + n;
  return Object.entries(total).sort((a, b) => b[1] - a[1]);
}

/** JSON-RPC internal errors (-32603) answered to bad input: not a crash, but no named field and rule either. */
function internalErrors(results: FuzzResults): { count: number; example?: string } {
  let count = 0;
  let example: string | undefined;
  for (const phase of results.phases) {
    const n = phase.answers['rpc-error -32603'] ?? 0;
    count += n;
    const e = phase.examples?.['rpc-error -32603'];
    if (n > 0 && example === undefined && e !== undefined) {
      example = `${phase.transport}/${phase.backend} ${e.caseKind} #${e.caseIndex}: ${e.sent.slice(0, 120)} → ${(e.answer ?? '').slice(0, 160)}`;
    }
  }
  return example === undefined ? { count } : { count, example };
}

function allFindings(results: FuzzResults): Finding[] {
  return [...results.phases.flatMap((p) => p.findings), ...results.logFindings];
}

/** The summary printed at the end of a run. */
export function formatSummary(results: FuzzResults): string {
  const lines: string[] = [];
  lines.push('', `fuzz: seed ${results.seed}, ${results.concurrency} in flight, ${results.durationSec.toFixed(1)} s`);
  lines.push('phase            tools  tool calls  envelopes  known-good  messages  msg/s  findings');
  for (const p of results.phases) {
    lines.push(
      `${`${p.transport}/${p.backend}`.padEnd(16)} ${String(p.tools).padStart(5)}  ${int(p.toolCalls).padStart(10)}  ${int(p.envelopes).padStart(9)}  ` +
        `${int(p.knownGood).padStart(10)}  ${int(p.messages).padStart(8)}  ${int(p.messagesPerSec).padStart(5)}  ${String(p.findingCount).padStart(8)}` +
        `${p.stoppedAtDeadline ? '  (stopped at --max-seconds)' : ''}`,
    );
  }
  lines.push(
    `total: ${int(results.toolCalls)} generated tool calls, ${int(results.messages)} messages, ${int(results.messages / results.durationSec)} messages/s overall`,
  );
  lines.push(
    `answers: ${mergedAnswers(results)
      .map(([kind, n]) => `${kind} ${int(n)}`)
      .join(', ')}`,
  );
  const internal = internalErrors(results);
  if (internal.count > 0)
    lines.push(
      `internal errors (-32603) for bad input: ${int(internal.count)} (--strict makes them findings); first: ${internal.example ?? '?'}`,
    );
  const findings = allFindings(results);
  if (results.findingCount === 0) {
    lines.push('findings: none');
  } else {
    lines.push(`findings: ${results.findingCount}`);
    for (const f of findings.slice(0, 20)) {
      const where = f.transport === undefined ? '' : `${f.transport}/${f.backend ?? ''} `;
      const replay =
        f.caseIndex === undefined
          ? ''
          : ` — replay: npm run fuzz -- --seed ${results.seed} --only ${f.transport}/${f.backend} --case ${f.caseIndex}`;
      lines.push(`  ${where}${f.kind} (${f.caseKind ?? '-'}): ${f.detail.slice(0, 300)}${replay}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** The BENCHMARKS.md section of the last full `npm run fuzz`. */
export function fuzzMarkdown(results: FuzzResults): string {
  const out: string[] = [];
  out.push('## Fuzzing (`npm run fuzz`)', '');
  out.push(
    `Last run: ${results.date.slice(0, 19).replace('T', ' ')} UTC, \`${results.command}\` — ${int(results.toolCalls)} generated tool calls ` +
      `(${int(results.messages)} messages with envelopes and known-good calls) in ${results.durationSec.toFixed(0)} s, ` +
      `${results.concurrency} in flight per phase, against the Prism mocks of both specs` +
      `${results.loadAverage === undefined ? '' : ` (1-min load average ${results.loadAverage.toFixed(1)} at the end: rates are noisy when other work shares the cores)`}. ` +
      `**Findings: ${results.findingCount}.**`,
    '',
  );
  out.push(
    table(
      [
        'transport / backend',
        'tools',
        'generated tool calls',
        'envelopes',
        'known-good calls',
        'messages/s',
        'server alive at end',
        'findings',
      ],
      results.phases.map((p) => [
        `${p.transport} / ${p.backend}`,
        String(p.tools),
        int(p.toolCalls),
        int(p.envelopes),
        int(p.knownGood),
        int(p.messagesPerSec),
        p.serverAlive ? 'yes' : '**no**',
        String(p.findingCount),
      ]),
    ),
    '',
  );
  out.push(
    `Answers: ${mergedAnswers(results)
      .map(([kind, n]) => `${kind}: ${int(n)}`)
      .join(', ')}.`,
    '',
  );
  const internal = internalErrors(results);
  if (internal.count > 0) {
    out.push(
      `Not counted as findings (\`--strict\` counts them): ${int(internal.count)} answers were JSON-RPC internal errors (-32603) to bad input, ` +
        `where an invalid-params error naming the field would be expected; first: \`${(internal.example ?? '').replace(/`/g, "'").replace(/\|/g, '\\|')}\`.`,
      '',
    );
  }
  const findings = allFindings(results);
  if (findings.length > 0) {
    out.push(
      table(
        ['where', 'kind', 'case', 'detail'],
        findings
          .slice(0, 20)
          .map((f) => [
            `${f.transport ?? 'log'} / ${f.backend ?? ''}`,
            f.kind,
            `${f.caseKind ?? ''} #${String(f.caseIndex ?? '')}`,
            f.detail.replace(/\|/g, '\\|').slice(0, 200),
          ]),
      ),
      '',
    );
  }
  out.push(
    "Cases come from fast-check: arguments from each served tool's inputSchema (valid, broken in one field, dropped required",
    'fields, hostile extra keys such as `__proto__`), hostile strings (huge, any Unicode, control characters, NUL, CRLF, path',
    'traversal, JSON- and XML-looking), hostile numbers (1e308, -0, past 2^53, fractions for integers) and shapes (arrays for',
    'objects, deep nesting), plus malformed JSON-RPC envelopes and notifications. Every answer must be a JSON-RPC result or',
    'error with the right id, carry no stack trace, project path or secret (the B4B password, the service client secret, any',
    'JWT), and after every failed call a known-good call (FinOpps `get_business`, B4B `login`) must succeed on the same',
    "connection. The servers' logs are scanned for the same secrets. A 2,000-call run is part of `npm test` (test/fuzz/).",
    '',
  );
  return out.join('\n');
}
