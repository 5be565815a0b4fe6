/**
 * A raw MCP 2026-07-28 client for the security tests: one `tools/call` POST with the `_meta` envelope and the
 * request metadata headers (Streamable HTTP, "Request Metadata"), so a test can replay exactly the retry a client
 * sent — same `requestState`, same `inputResponses` — as an attacker or a retrying HTTP client would.
 */

const MODERN = '2026-07-28';

/** What a call carries besides its name and arguments. */
export interface ModernCallOptions {
  /** The client's declared capabilities (none by default). */
  capabilities?: Record<string, unknown>;
  requestState?: string;
  inputResponses?: Record<string, unknown>;
}

/** The JSON-RPC answer of a call: `result` or `error`, and the HTTP status. */
export interface ModernAnswer {
  status: number;
  result?: Record<string, unknown> & {
    resultType?: string;
    requestState?: string;
    isError?: boolean;
    content?: Array<{ text: string }>;
  };
  error?: { code: number; message: string };
}

let nextId = 1;

/** POSTs one 2026-07-28 `tools/call` to `endpoint` as the API key's caller. */
export async function modernCall(
  endpoint: string,
  apiKey: string,
  name: string,
  args: Record<string, unknown>,
  options: ModernCallOptions = {},
): Promise<ModernAnswer> {
  const params: Record<string, unknown> = {
    name,
    arguments: args,
    _meta: {
      'io.modelcontextprotocol/protocolVersion': MODERN,
      'io.modelcontextprotocol/clientCapabilities': options.capabilities ?? {},
      'io.modelcontextprotocol/clientInfo': { name: 'replay-test', version: '1' },
    },
  };
  if (options.requestState !== undefined) params['requestState'] = options.requestState;
  if (options.inputResponses !== undefined) params['inputResponses'] = options.inputResponses;
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      authorization: `Bearer ${apiKey}`,
      'mcp-protocol-version': MODERN,
      'mcp-method': 'tools/call',
      'mcp-name': name,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method: 'tools/call', params }),
  });
  const body = (await res.json()) as { result?: ModernAnswer['result']; error?: ModernAnswer['error'] };
  return {
    status: res.status,
    ...(body.result === undefined ? {} : { result: body.result }),
    ...(body.error === undefined ? {} : { error: body.error }),
  };
}

/** The text of a tool result. */
export function textOf(answer: ModernAnswer): string {
  return (answer.result?.content ?? []).map((c) => c.text).join('\n');
}
