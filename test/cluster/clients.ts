/**
 * MCP clients of the cluster tests: the official SDK 2.x client over Streamable HTTP, in either era (2026-07-28
 * pinned, or the 2025-11-25 `initialize` sequence), with the caller's credential, talking to the load balancer.
 */
import { Client, StreamableHTTPClientTransport, type ClientCapabilities } from '@modelcontextprotocol/client';
import type { ToolResult } from '../../src/core/tool-service-api.js';

/** The protocol revision a client speaks. */
export type Era = '2026-07-28' | '2025-11-25';

/** Options of {@link connectClient}. */
export interface ConnectOptions {
  endpoint: string;
  era: Era;
  /** `Authorization: Bearer <credential>` (an API key or an access token). */
  credential: string;
  name?: string;
  /** Client capabilities (e.g. elicitation). */
  capabilities?: ClientCapabilities;
}

/** A connected client. */
export async function connectClient(options: ConnectOptions): Promise<Client> {
  const client = new Client(
    { name: options.name ?? 'cluster-test', version: '1' },
    {
      ...(options.era === '2026-07-28' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
      ...(options.capabilities === undefined ? {} : { capabilities: options.capabilities }),
    },
  );
  await client.connect(
    new StreamableHTTPClientTransport(new URL(options.endpoint), {
      requestInit: { headers: { authorization: `Bearer ${options.credential}` } },
    }),
  );
  return client;
}

/** A tool result with `isError` always present, and its text. */
export interface CallOutcome {
  isError: boolean;
  text: string;
  result: ToolResult;
}

/** Calls a tool; a protocol error throws (as the SDK reports it). */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallOutcome> {
  const result = (await client.callTool({ name, arguments: args })) as ToolResult;
  const text = result.content.map((c) => ('text' in c ? String(c.text) : '')).join('\n');
  return { isError: result.isError === true, text, result };
}
