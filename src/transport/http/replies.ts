/**
 * HTTP answers of the Streamable HTTP pipeline: a JSON-RPC error as the body of an HTTP error (MCP 2026-07-28,
 * Streamable HTTP: "The HTTP response body MAY comprise a JSON-RPC error response"), no stack, no internals.
 */
import type { RequestId } from '../../protocol/messages.js';
import type { HttpAnswer } from './exchange.js';

/** A JSON answer (its length set here: the one place the body is known). */
export function json(status: number, body: string, headers?: Record<string, string>): HttpAnswer {
  const length = String(Buffer.byteLength(body));
  return {
    status,
    headers:
      headers === undefined
        ? { 'content-type': 'application/json', 'content-length': length }
        : { 'content-type': 'application/json', 'content-length': length, ...headers },
    body,
  };
}

/** An answer without a body (202, 204, 405…). */
export function empty(status: number, headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers };
}

/** A JSON-RPC error object as the body of an HTTP answer. */
export function rpcError(
  status: number,
  id: RequestId | null,
  code: number,
  message: string,
  headers?: Record<string, string>,
  data?: unknown,
): HttpAnswer {
  const error = data === undefined ? { code, message } : { code, message, data };
  return json(status, JSON.stringify({ jsonrpc: '2.0', id, error }), headers);
}

/** A public, read-only discovery document: readable from any origin, no auth. */
export function publicDocument(method: string, body: string): HttpAnswer {
  const cors = { 'access-control-allow-origin': '*' };
  if (method === 'GET' || method === 'HEAD') return json(200, body, { 'cache-control': 'max-age=300', ...cors });
  if (method === 'OPTIONS')
    return empty(204, {
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-max-age': '600',
      ...cors,
    });
  return empty(405, { allow: 'GET, HEAD, OPTIONS', ...cors });
}
