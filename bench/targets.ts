/**
 * Load targets: one uniform "open N clients, each makes one call at a time" interface over the three ways a
 * call is made — the floor (undici straight to the stub), an MCP server over stdio (N requests in flight on
 * one pipe) and an MCP server over Streamable HTTP (N sessions, each on its own keep-alive connection, driven
 * by the lean client). Every call asks for a different resource id and is checked by check.ts. HTTP clients
 * number their requests 1, 2, 3… each, so concurrent sessions reuse the same JSON-RPC ids on purpose.
 */
import { checkAnswer, type Outcome } from './check.js';
import { FloorClient } from './clients/floor.js';
import { toolCallParams } from './clients/jsonrpc.js';
import { HttpStatusError, McpHttpSession, type McpHttpEndpoint } from './clients/mcp-http.js';
import { TimeoutError, type StdioMcpProcess } from './clients/mcp-stdio.js';
import {
  nextSessionTag,
  probeBackendRequest,
  probeValues,
  toolArguments,
  type ListedTool,
  type Scenario,
} from './scenario.js';

let sequence = 0;

/** A number never used before in this run: every call asks for a different resource id. */
function nextSequence(): number {
  sequence += 1;
  return sequence;
}

/** One client: one call at a time. */
interface LoadClient {
  call(): Promise<Outcome>;
}

/** Clients opened for one measurement. */
export interface OpenedClients {
  clients: LoadClient[];
  /** Answers that arrived for no request in flight since these clients were opened. */
  strays(): number;
  close(): Promise<void>;
}

/** Something to load: the floor, or one server over one transport. */
export interface LoadTarget extends TargetLabel {
  transport: 'direct' | 'stdio' | 'http';
  /** Server process id, for CPU and memory; undefined for the floor. */
  pid?: number;
  open(count: number): Promise<OpenedClients>;
}

/** What a result row names: which server, transport, variant and client its figures came from. */
export interface TargetLabel {
  /** `floor`, or the server's id. */
  server: string;
  transport: string;
  /** A variant of the same server and transport (e.g. `unique ids`, `2026-07-28` requests), shown as its own row. */
  variant?: string;
  /** Which client produced the figures, for the report. */
  client: string;
}

/** The label of a target's figures (no `variant` key when it has none). */
export function labelOf(target: LoadTarget): TargetLabel {
  return {
    server: target.server,
    transport: target.transport,
    ...(target.variant === undefined ? {} : { variant: target.variant }),
    client: target.client,
  };
}

function failure(error: unknown): Outcome {
  if (error instanceof TimeoutError) return { kind: 'timeout', detail: error.message };
  if (error instanceof HttpStatusError) return { kind: 'http-error', detail: error.message };
  return { kind: 'transport-error', detail: error instanceof Error ? error.message : String(error) };
}

/** The floor: the probe's backend request, straight to the stub, through an undici keep-alive pool. */
export function floorTarget(
  scenario: Scenario,
  origin: string,
  authorization: string | undefined,
  timeoutMs: number,
): LoadTarget {
  return {
    server: 'floor',
    transport: 'direct',
    client: 'undici Pool, keep-alive, one connection per client',
    async open(count: number): Promise<OpenedClients> {
      const pool = new FloorClient(origin, count, timeoutMs);
      const client: LoadClient = {
        async call(): Promise<Outcome> {
          const { request, echo } = probeBackendRequest(scenario, nextSequence(), authorization);
          try {
            const response = await pool.send(request);
            if (response.status >= 300)
              return { kind: 'http-error', detail: `HTTP ${response.status}: ${response.body.slice(0, 120)}` };
            if (!response.body.includes(echo)) return { kind: 'wrong-data', detail: `expected ${echo}` };
            return { kind: 'ok' };
          } catch (error) {
            return failure(error);
          }
        },
      };
      return { clients: Array.from({ length: count }, () => client), strays: () => 0, close: () => pool.close() };
    },
  };
}

/** The variant row of MCP 2026-07-28 requests (per-request `_meta`, no session; finmcp only). */
export const MODERN_VARIANT = '2026-07-28';

/**
 * A server over stdio: `count` requests in flight on its one pipe, each with a unique id. `tag` is the
 * session tag its login carried (0 when it did not log in). With `modern`, the calls are 2026-07-28 requests on
 * the same process (a dual-era server serves both on one pipe; the process is one caller, so its login holds).
 */
export function stdioTarget(
  server: string,
  scenario: Scenario,
  proc: StdioMcpProcess,
  tool: ListedTool,
  timeoutMs: number,
  tag = 0,
  modern = false,
): LoadTarget {
  return {
    server,
    transport: 'stdio',
    ...(modern ? { variant: MODERN_VARIANT } : {}),
    client: 'stdio pipe, N requests in flight, newline-delimited JSON-RPC written by hand',
    pid: proc.pid,
    async open(count: number): Promise<OpenedClients> {
      const straysAtOpen = proc.strays;
      const client: LoadClient = {
        async call(): Promise<Outcome> {
          const { values, echo } = probeValues(scenario, nextSequence(), tag);
          const id = proc.allocateId();
          try {
            const answer = await proc.requestWithId(
              id,
              'tools/call',
              toolCallParams(tool.name, toolArguments(tool, values), modern),
              timeoutMs,
            );
            return checkAnswer(answer.message, answer.raw, id, echo);
          } catch (error) {
            return failure(error);
          }
        },
      };
      return {
        clients: Array.from({ length: count }, () => client),
        strays: () => proc.strays - straysAtOpen,
        close: async () => undefined,
      };
    },
  };
}

/** A tool call every session makes once before its load (e.g. `login`), with arguments per session tag. */
export interface SessionSetupCall {
  tool: ListedTool;
  args(tag: number): Record<string, unknown>;
}

/** Opens one HTTP session: handshake, then the setup call (with `tag`) if any. Throws when either fails. */
export async function openHttpSession(
  endpoint: McpHttpEndpoint,
  setup: SessionSetupCall | undefined,
  timeoutMs: number,
  tag = 0,
): Promise<McpHttpSession> {
  const session = new McpHttpSession(endpoint);
  try {
    await session.initialize(timeoutMs);
    if (setup !== undefined) {
      const answer = await session.request(
        1,
        'tools/call',
        toolCallParams(setup.tool.name, setup.args(tag), endpoint.modern === true),
        timeoutMs,
        setup.tool.name,
      );
      const outcome = checkAnswer(answer.message, answer.raw, 1);
      if (outcome.kind !== 'ok') throw new Error(`${setup.tool.name} failed: ${outcome.detail ?? outcome.kind}`);
    }
    return session;
  } catch (error) {
    session.disconnect();
    throw error;
  }
}

/** Runs `task` over `items` with at most `limit` at a time. */
export async function inBatches<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  return results;
}

/**
 * A server over Streamable HTTP: `count` sessions, one keep-alive connection each, lean client. Variants:
 * `unique ids` — sessions never reuse each other's JSON-RPC ids (for peers only); `2026-07-28` — MCP 2026-07-28
 * requests (no handshake, no session; finmcp only). In 2026-07-28 every client is the same caller (one inbound
 * identity), so one login serves them all: the first client logs in, every client asks for that tag's ids.
 */
export function httpTarget(
  server: string,
  scenario: Scenario,
  endpoint: McpHttpEndpoint,
  pid: number,
  tool: ListedTool,
  setup: SessionSetupCall | undefined,
  timeoutMs: number,
  variant?: 'unique ids' | typeof MODERN_VARIANT,
): LoadTarget {
  const uniqueIds = variant === 'unique ids';
  const modern = variant === MODERN_VARIANT;
  const target = modern ? { ...endpoint, modern: true } : endpoint;
  return {
    server,
    transport: 'http',
    ...(variant === undefined ? {} : { variant }),
    client: 'lean HTTP/1.1 keep-alive client (net sockets, hand-written JSON-RPC), one session per client',
    pid,
    async open(count: number): Promise<OpenedClients> {
      // A session that logs in gets its own tag, and asks only for ids carrying it.
      const shared = modern && setup !== undefined ? nextSessionTag() : 0;
      const tags = Array.from({ length: count }, () => (setup === undefined ? 0 : modern ? shared : nextSessionTag()));
      const sessions = await inBatches(tags, 16, (tag, index) =>
        openHttpSession(target, modern && index > 0 ? undefined : setup, timeoutMs, tag),
      );
      const clients = sessions.map((session, index): LoadClient => {
        const tag = tags[index] ?? 0;
        // Each session numbers its requests from 2 (1 was the setup call): ids collide across sessions on
        // purpose, as they do between independent real clients. The `unique ids` variant gives each session
        // its own range, to show what a server that keys answers by id alone could do without collisions.
        let nextId = uniqueIds ? 2 + (index + 1) * 1_000_000 : 2;
        return {
          async call(): Promise<Outcome> {
            const { values, echo } = probeValues(scenario, nextSequence(), tag);
            const id = nextId;
            nextId += 1;
            try {
              const answer = await session.request(
                id,
                'tools/call',
                toolCallParams(tool.name, toolArguments(tool, values), modern),
                timeoutMs,
                tool.name,
              );
              return checkAnswer(answer.message, answer.raw, id, echo);
            } catch (error) {
              return failure(error);
            }
          },
        };
      });
      return {
        clients,
        strays: () => sessions.reduce((total, session) => total + session.strays, 0),
        close: async () => {
          await Promise.all(sessions.map((session) => session.close()));
        },
      };
    },
  };
}
