/**
 * Test helpers for several finmcp processes behind one "load balancer": spawns the real CLI
 * (`node bin/finmcp.js serve … --transport http`, which runs dist/: `npm run build` first) with a shared Redis, and
 * a small Streamable HTTP JSON-RPC client that can send each call to any instance.
 */
import type { ChildProcess } from 'node:child_process';
import { startFinmcpInstance } from '../cluster/instance.js';

/** A running finmcp process. */
export interface Instance {
  readonly name: string;
  /** The B4B MCP endpoint. */
  readonly endpoint: string;
  readonly process: ChildProcess;
  /** Everything the process wrote to stderr so far (logs). */
  logs(): string;
  /** SIGTERM (or the given signal) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts `finmcp serve <backend> --transport http --port 0` with `env` over this process's environment
 * (test/cluster/instance.ts spawns it and waits until it serves).
 */
export async function startInstance(
  name: string,
  backend: string,
  args: string[],
  env: Record<string, string>,
): Promise<Instance> {
  const instance = await startFinmcpInstance({ name, backends: [backend], args, env });
  return {
    name,
    endpoint: `http://${instance.address}/${backend}/mcp`,
    get process(): ChildProcess {
      return instance.process;
    },
    logs: () => instance.logs(),
    async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
      await instance.stop(signal);
    },
  };
}

/** One HTTP answer of an MCP endpoint. */
export interface RpcAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined for an empty one. */
  body: Record<string, unknown> | undefined;
}

/** Sends one JSON-RPC message to `endpoint` with the caller's API key and session. */
export async function rpc(
  endpoint: string,
  message: Record<string, unknown>,
  caller: { apiKey: string; sessionId?: string },
): Promise<RpcAnswer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    authorization: `Bearer ${caller.apiKey}`,
    'mcp-protocol-version': '2025-11-25',
  };
  if (caller.sessionId !== undefined) headers['mcp-session-id'] = caller.sessionId;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', ...message }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>),
  };
}

let nextId = 1;

/** `initialize` + `notifications/initialized` on `endpoint`; returns the new session id. */
export async function openSession(endpoint: string, apiKey: string): Promise<string> {
  const init = await rpc(
    endpoint,
    {
      id: nextId++,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'lb-test', version: '1' } },
    },
    { apiKey },
  );
  const sessionId = init.headers.get('mcp-session-id');
  if (init.status !== 200 || sessionId === null)
    throw new Error(`initialize failed: ${init.status} ${JSON.stringify(init.body)}`);
  const initialized = await rpc(endpoint, { method: 'notifications/initialized' }, { apiKey, sessionId });
  if (initialized.status !== 202) throw new Error(`notifications/initialized: ${initialized.status}`);
  return sessionId;
}

/** The text of a tool result, and whether it is an error; throws on an HTTP or JSON-RPC error. */
export async function callTool(
  endpoint: string,
  name: string,
  args: Record<string, unknown>,
  caller: { apiKey: string; sessionId?: string },
): Promise<{ isError: boolean; text: string }> {
  const answer = await rpc(endpoint, { id: nextId++, method: 'tools/call', params: { name, arguments: args } }, caller);
  const result = answer.body?.['result'] as { isError?: boolean; content: Array<{ text: string }> } | undefined;
  if (answer.status !== 200 || result === undefined)
    throw new Error(`tools/call ${name}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return { isError: result.isError === true, text: result.content.map((c) => c.text).join('\n') };
}
