/**
 * A confirmed B4B write (issue 21): `create_entity` through the confirmation flow a 2026-07-28 client goes
 * through — the call, answered `input_required` with a sealed `requestState`; the retry carrying it and the
 * user's "yes", whose nonce the server claims in its state store before the backend POST and under which it
 * records the result. Timed with the state store in memory and on Redis (two finmcp processes against the same
 * stub, writes interleaved one by one so machine noise hits both alike); also the replay of a claimed
 * confirmation (answered from the recorded result, no second POST). Every retry must be a non-error result
 * and every replay must equal it, or the figure is counted as an error, not a sample; the stub's count of the
 * operation's requests shows one backend POST per confirmed write, none per replay.
 */
import { McpHttpSession, type McpHttpEndpoint } from '../clients/mcp-http.js';
import { MODERN_PROTOCOL_VERSION, type RpcAnswer } from '../clients/jsonrpc.js';
import { findTool, toolArguments, type ListedTool, type Scenario } from '../scenario.js';
import { percentileSorted } from '../stats.js';

/** The write measured: the spec operation and the tool finmcp serves for it. */
const WRITE_OPERATION = 'create_entity';

/** p50/p90/p99 of one sample set, ms. */
interface Percentiles {
  n: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** One store's figures. */
interface StoreFigures {
  store: 'memory' | 'redis';
  /** The first call, answered `input_required` (the question). */
  question: Percentiles;
  /** The confirmed retry: claim, backend POST, recorded result. */
  write: Percentiles;
  /** The same retry sent again: answered from the recorded result. */
  replay: Percentiles;
  /** Writes that failed, or replays that did not return the first result. */
  errors: number;
  firstError?: string;
}

/** What `--only confirm` and the full run record. */
export interface ConfirmedWriteResult {
  backend: string;
  tool: string;
  writes: number;
  warmup: number;
  stores: StoreFigures[];
  /** write p50 on Redis − in memory, ms. */
  addedP50Ms: number | null;
  addedP90Ms: number | null;
  /** Confirmed writes that succeeded (warm-up included, both stores) and the POSTs the backend received meanwhile. */
  confirmed: number;
  backendPosts: number | null;
}

/** The two finmcp HTTP endpoints to compare. */
export interface WriteEndpoints {
  memory: McpHttpEndpoint;
  redis: McpHttpEndpoint;
}

/** Sizes of the measurement. */
export interface ConfirmedWriteSizes {
  writes: number;
  warmup: number;
  timeoutMs: number;
}

/** Most a confirmed write on Redis may add to its p50 over the memory store (judged in the Targets table). */
const ADDED_P50_TARGET_MS = 1;

/** Failed writes after which the measurement stops. */
const MAX_FAILURES = 5;

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number | null => (sorted.length === 0 ? null : round3(percentileSorted(sorted, p)));
  return { n: sorted.length, p50: at(50), p90: at(90), p99: at(99) };
}

/** The `_meta` of a 2026-07-28 request from a client that declares form elicitation. */
const META = {
  'io.modelcontextprotocol/protocolVersion': MODERN_PROTOCOL_VERSION,
  'io.modelcontextprotocol/clientCapabilities': { elicitation: { form: {} } },
  'io.modelcontextprotocol/clientInfo': { name: 'finmcp-bench', version: '1.0.0' },
};

/** "Yes" to every question of an `input_required` result: each required boolean of a form set to true. */
function acceptAll(inputRequests: Record<string, unknown>): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const [key, request] of Object.entries(inputRequests)) {
    const schema = (request as { params?: { requestedSchema?: Record<string, unknown> } }).params?.requestedSchema;
    const properties = (schema?.properties ?? {}) as Record<string, { type?: string }>;
    const required = Array.isArray(schema?.required) ? (schema.required as string[]) : [];
    const content = Object.fromEntries(
      required.filter((name) => properties[name]?.type === 'boolean').map((name) => [name, true]),
    );
    answers[key] = { action: 'accept', content };
  }
  return answers;
}

/** One client of one store: a 2026-07-28 caller signed in at the backend. */
class WriteClient {
  private nextId = 1;

  private constructor(
    readonly store: StoreFigures['store'],
    private readonly session: McpHttpSession,
    private readonly timeoutMs: number,
  ) {}

  static async open(
    store: StoreFigures['store'],
    endpoint: McpHttpEndpoint,
    login: { tool: string; args: Record<string, unknown> },
    timeoutMs: number,
  ): Promise<WriteClient> {
    const session = new McpHttpSession({ ...endpoint, modern: true });
    const client = new WriteClient(store, session, timeoutMs);
    try {
      await session.initialize(timeoutMs);
      const answer = await client.call(login.tool, login.args);
      if (answer.message.result?.isError === true || answer.message.error !== undefined)
        throw new Error(`${login.tool} failed: ${answer.raw.slice(0, 200)}`);
      return client;
    } catch (error) {
      session.disconnect();
      throw error;
    }
  }

  call(tool: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<RpcAnswer> {
    const params = JSON.stringify({ name: tool, arguments: args, _meta: META, ...extra });
    return this.session.request(this.nextId++, 'tools/call', params, this.timeoutMs, tool);
  }

  /** One confirmed write and one replay of it; the durations in ms, or why it failed. */
  async write(tool: string, args: Record<string, unknown>): Promise<[number, number, number] | string> {
    let started = performance.now();
    const question = await this.call(tool, args);
    const asked = performance.now() - started;
    const result = question.message.result as
      | { resultType?: string; requestState?: string; inputRequests?: Record<string, unknown> }
      | undefined;
    if (result?.resultType !== 'input_required' || result.requestState === undefined)
      return `no confirmation asked: ${question.raw.slice(0, 200)}`;
    const retry = { requestState: result.requestState, inputResponses: acceptAll(result.inputRequests ?? {}) };
    started = performance.now();
    const first = await this.call(tool, args, retry);
    const wrote = performance.now() - started;
    const written = first.message.result;
    if (first.message.error !== undefined || written?.isError === true || written?.resultType !== 'complete')
      return `the confirmed write failed: ${first.raw.slice(0, 200)}`;
    started = performance.now();
    const replay = await this.call(tool, args, retry);
    const replayed = performance.now() - started;
    if (JSON.stringify(replay.message.result) !== JSON.stringify(first.message.result))
      return `the replay did not return the first result: ${replay.raw.slice(0, 200)}`;
    return [asked, wrote, replayed];
  }

  close(): Promise<void> {
    return this.session.close();
  }
}

/** The write tool's arguments: the spec's request example, a distinct name per write where it has one. */
function writeArguments(tool: ListedTool, example: Record<string, unknown>, n: number): Record<string, unknown> {
  const values = typeof example.name === 'string' ? { ...example, name: `${example.name} ${n}` } : example;
  return toolArguments(tool, values);
}

/** Measures `sizes.writes` confirmed writes per store, interleaved; `tools` is the server's tools/list. */
export async function measureConfirmedWrites(
  scenario: Scenario,
  tools: readonly ListedTool[],
  endpoints: WriteEndpoints,
  login: { tool: string; args: Record<string, unknown> },
  sizes: ConfirmedWriteSizes,
  /** The backend's count of requests to an operation (`POST /path`), null when unknown. */
  backendCount: (operation: string) => Promise<number | null>,
): Promise<ConfirmedWriteResult> {
  const operation = scenario.operations.find((op) => op.operationId === WRITE_OPERATION);
  const example = operation?.requestBody?.example;
  const tool = operation === undefined ? undefined : findTool(tools, operation);
  if (operation === undefined || tool === undefined || example === null || typeof example !== 'object')
    throw new Error(`${scenario.backend}: no ${WRITE_OPERATION} tool with a request example to write`);
  const clients: WriteClient[] = [];
  const samples = new Map<WriteClient, { asked: number[]; wrote: number[]; replayed: number[] }>();
  const failures = new Map<WriteClient, string[]>();
  const key = `${operation.method.toUpperCase()} ${operation.path}`;
  let postsBefore: number | null = null;
  let confirmed = 0;
  try {
    for (const store of ['memory', 'redis'] as const)
      clients.push(await WriteClient.open(store, endpoints[store], login, sizes.timeoutMs));
    postsBefore = await backendCount(key);
    // A server that keeps failing ends the measurement early (each failure may have waited the whole time limit).
    const failed = (): number => [...failures.values()].reduce((n, list) => n + list.length, 0);
    for (let i = 0; i < sizes.warmup + sizes.writes && failed() < MAX_FAILURES; i++) {
      for (const client of clients) {
        const outcome = await client
          .write(tool.name, writeArguments(tool, example as Record<string, unknown>, i))
          .catch((error: unknown) => (error instanceof Error ? error.message : String(error)));
        if (typeof outcome === 'string') failures.set(client, [...(failures.get(client) ?? []), outcome]);
        else confirmed += 1;
        if (typeof outcome !== 'string' && i >= sizes.warmup) {
          const s = samples.get(client) ?? { asked: [], wrote: [], replayed: [] };
          s.asked.push(outcome[0]);
          s.wrote.push(outcome[1]);
          s.replayed.push(outcome[2]);
          samples.set(client, s);
        }
      }
    }
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  const stores = clients.map((client): StoreFigures => {
    const s = samples.get(client) ?? { asked: [], wrote: [], replayed: [] };
    const failed = failures.get(client) ?? [];
    return {
      store: client.store,
      question: percentiles(s.asked),
      write: percentiles(s.wrote),
      replay: percentiles(s.replayed),
      errors: failed.length,
      ...(failed[0] === undefined ? {} : { firstError: failed[0] }),
    };
  });
  const postsAfter = await backendCount(key);
  const [memory, redis] = stores;
  const diff = (pick: (s: StoreFigures) => number | null): number | null => {
    const a = memory === undefined ? null : pick(memory);
    const b = redis === undefined ? null : pick(redis);
    return a === null || b === null ? null : round3(b - a);
  };
  return {
    backend: scenario.backend,
    tool: tool.name,
    writes: sizes.writes,
    warmup: sizes.warmup,
    stores,
    addedP50Ms: diff((s) => s.write.p50),
    addedP90Ms: diff((s) => s.write.p90),
    confirmed,
    backendPosts: postsBefore === null || postsAfter === null ? null : postsAfter - postsBefore,
  };
}

const ms = (v: number | null): string => (v === null ? 'n/a' : `${v.toFixed(3)} ms`);

/** Its row in the Targets table. */
export function confirmedWriteTarget(result: ConfirmedWriteResult | { error: string }): string[] {
  const target = `confirmed write, claim on Redis: added p50 vs memory ≤ ${ADDED_P50_TARGET_MS} ms`;
  if ('error' in result) return [target, 'b4b', `failed: ${result.error.split('\n')[0] ?? ''}`, '–'];
  const errors = result.stores.reduce((n, s) => n + s.errors, 0);
  const pass = result.addedP50Ms === null || errors > 0 ? null : result.addedP50Ms <= ADDED_P50_TARGET_MS;
  return [
    target,
    result.backend,
    `${ms(result.addedP50Ms)}${errors > 0 ? ` (${errors} failed writes)` : ''}`,
    pass === null ? '–' : pass ? '✔' : '✘',
  ];
}

/** The BENCHMARKS.md section. */
export function renderConfirmedWrite(result: ConfirmedWriteResult | { error: string }): string {
  const head = '## Confirmed write: the claim on Redis vs in memory';
  if ('error' in result) return `${head}\n\nNot measured: ${result.error}\n`;
  const row = (label: string, pick: (s: StoreFigures) => Percentiles): string => {
    const [memory, redis] = [result.stores[0], result.stores[1]];
    const cell = (s: StoreFigures | undefined): string =>
      s === undefined ? 'n/a' : `${ms(pick(s).p50)} / ${ms(pick(s).p90)}`;
    const d = (p: 'p50' | 'p90'): number | null => {
      const a = memory === undefined ? null : pick(memory)[p];
      const b = redis === undefined ? null : pick(redis)[p];
      return a === null || b === null ? null : b - a;
    };
    return `| ${label} | ${cell(memory)} | ${cell(redis)} | ${ms(d('p50'))} / ${ms(d('p90'))} |`;
  };
  const failed = result.stores.filter((s) => s.errors > 0);
  const posts =
    result.backendPosts === null
      ? 'The backend’s POST count could not be read.'
      : `The backend received ${result.backendPosts} POSTs for ${result.confirmed} confirmed writes, each replayed once` +
        (result.backendPosts === result.confirmed ? ': one per confirmation.' : ' — **not one per confirmation**.');
  return [
    head,
    '',
    `\`${result.tool}\` on ${result.backend} from a 2026-07-28 client over HTTP (one caller, signed in, declaring form elicitation),`,
    'against the stub backend: the call is answered `input_required` with a sealed `requestState`; the retry with the',
    "user's yes claims the confirmation's nonce in the state store, makes the backend POST and records the result; a",
    'replay of that retry is answered from the record (no second POST). finmcp with `FINMCP_STATE_STORE` in memory',
    `and on a local redis-server, one process each, writes interleaved one by one; ${result.writes} timed writes per store`,
    `after ${result.warmup} unrecorded. Cells: p50 / p90.`,
    '',
    '| | memory | Redis | Redis − memory |',
    '| --- | --- | --- | --- |',
    row('question (first call → `input_required`)', (s) => s.question),
    row('**confirmed write** (retry → backend POST → result)', (s) => s.write),
    row('replay of the confirmed retry (recorded result)', (s) => s.replay),
    '',
    posts,
    '',
    ...(failed.length === 0
      ? ['Every write succeeded and every replay returned the first result.', '']
      : [...failed.map((s) => `- ${s.store}: ${s.errors} failed write(s), first: ${s.firstError ?? ''}`), '']),
  ].join('\n');
}
