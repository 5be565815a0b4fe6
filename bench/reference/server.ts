/**
 * The reference server: the least an MCP server can do per tool call, hand-rolled, to measure finmcp's per-call
 * cost against (issue 27). JSON-RPC over stdio (newline-delimited) or node:http (one POST endpoint, JSON answers,
 * no session), `initialize` and `tools/list` answered from pre-serialised text, and a `tools/call` that fills the
 * operation's path and query from the arguments, sends it over one undici keep-alive `Pool` to the backend (the
 * pool options finmcp's backend client uses) and splices the backend's JSON text into the answer twice (the text
 * block, escaped, and `structuredContent`) without parsing it. No validation, no auth, no logging, no limits:
 * it shows what the protocol and the backend request cost by themselves.
 *
 * `node reference/server.js <plan.json> stdio` | `… <plan.json> http <port>`; the plan is written by
 * bench/servers/reference.ts from the spec.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Pool } from 'undici';

/** One operation as the reference calls it. */
export interface ReferenceTool {
  name: string;
  method: string;
  /** Path template with `{name}` segments, base path included. */
  path: string;
  query: string[];
  /** Tool arguments sent as the JSON body, when the operation has one (`body`). */
  hasBody: boolean;
  inputSchema: Record<string, unknown>;
}

/** What bench/servers/reference.ts writes. */
export interface ReferencePlan {
  origin: string;
  authorization: string;
  tools: ReferenceTool[];
}

interface Rpc {
  id?: number | string | null;
  method?: string;
  params?: { name?: string; arguments?: Record<string, unknown> };
}

const [planFile, transport, port] = process.argv.slice(2);
const plan = JSON.parse(readFileSync(planFile as string, 'utf8')) as ReferencePlan;
const byName = new Map(plan.tools.map((tool) => [tool.name, tool]));
const pool = new Pool(plan.origin, {
  connections: 32,
  connect: { timeout: 5000 },
  headersTimeout: 30_000,
  bodyTimeout: 30_000,
  keepAliveTimeout: 4000,
});
const headers = { accept: 'application/json', authorization: plan.authorization };
const bodyHeaders = { ...headers, 'content-type': 'application/json' };

const INITIALIZE =
  '{"protocolVersion":"2025-11-25","capabilities":{"tools":{"listChanged":false}},"serverInfo":{"name":"reference","version":"1.0.0"}}';
const TOOLS_LIST = JSON.stringify({
  tools: plan.tools.map((t) => ({ name: t.name, description: `${t.method} ${t.path}`, inputSchema: t.inputSchema })),
});

function result(id: Rpc['id'], json: string): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${json}}`;
}

function error(id: Rpc['id'], code: number, message: string): string {
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id ?? null)},"error":{"code":${code},"message":${JSON.stringify(message)}}}`;
}

/** The backend request of one call, its JSON text spliced into the tool result. */
async function call(id: Rpc['id'], tool: ReferenceTool, args: Record<string, unknown>): Promise<string> {
  let path = tool.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(String(args[name])));
  let separator = '?';
  for (const name of tool.query) {
    if (args[name] === undefined) continue;
    path += `${separator}${encodeURIComponent(name)}=${encodeURIComponent(String(args[name]))}`;
    separator = '&';
  }
  const response = await pool.request({
    method: tool.method as 'GET',
    path,
    headers: tool.hasBody ? bodyHeaders : headers,
    ...(tool.hasBody ? { body: JSON.stringify(args.body ?? {}) } : {}),
  });
  const text = await response.body.text();
  const isError = response.statusCode >= 300;
  const structured = !isError && text.startsWith('{') ? `,"structuredContent":${text}` : '';
  return result(
    id,
    `{"content":[{"type":"text","text":${JSON.stringify(text)}}]${structured}${isError ? ',"isError":true' : ''}}`,
  );
}

/** The answer to one message; undefined for a notification. */
function answer(message: Rpc): string | Promise<string> | undefined {
  if (message.id === undefined) return undefined;
  switch (message.method) {
    case 'initialize':
      return result(message.id, INITIALIZE);
    case 'tools/list':
      return result(message.id, TOOLS_LIST);
    case 'tools/call': {
      const tool = byName.get(message.params?.name ?? '');
      if (tool === undefined) return error(message.id, -32602, 'Unknown tool');
      return call(message.id, tool, message.params?.arguments ?? {}).catch((e: unknown) =>
        error(message.id, -32603, e instanceof Error ? e.message : String(e)),
      );
    }
    default:
      return error(message.id, -32601, 'Method not found');
  }
}

function parse(text: string): Rpc | undefined {
  try {
    return JSON.parse(text) as Rpc;
  } catch {
    return undefined;
  }
}

function serveStdio(): void {
  let pending = '';
  const write = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const message = parse(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
      if (message === undefined) {
        write(error(null, -32700, 'Parse error'));
        continue;
      }
      const out = answer(message);
      if (typeof out === 'string') write(out);
      else void out?.then(write);
    }
  });
  process.stdin.on('end', () => process.exit(0));
}

function serveHttp(listenPort: number): void {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const send = (body: string): void => {
        const bytes = Buffer.from(body);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bytes.length) });
        res.end(bytes);
      };
      const message = parse(Buffer.concat(chunks).toString('utf8'));
      if (message === undefined) return send(error(null, -32700, 'Parse error'));
      const out = answer(message);
      if (out === undefined) {
        res.writeHead(202);
        res.end();
      } else if (typeof out === 'string') send(out);
      else void out.then(send);
    });
  });
  server.keepAliveTimeout = 120_000;
  server.listen(listenPort, '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}

if (transport === 'http') serveHttp(Number(port));
else serveStdio();
