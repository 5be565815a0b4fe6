/**
 * An inbound HTTP request as the pipeline's checks see it ({@link HttpRequestLike}), built from plain values: the
 * input of the check modules' unit tests (what node:http or a fetch `Request` would hand the pipeline).
 */
import type { HttpRequestLike } from '../../../src/transport/http/exchange.js';

/** A request with these headers (names in any case), method POST and path `/b/mcp` unless given. */
export function httpRequest(
  headers: Record<string, string> = {},
  options: { method?: string; path?: string; body?: string; remoteAddress?: string } = {},
): HttpRequestLike {
  const lower = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return {
    method: options.method ?? 'POST',
    path: options.path ?? '/b/mcp',
    remoteAddress: options.remoteAddress ?? '127.0.0.1',
    header: (name) => lower.get(name),
    readBody: async () => options.body ?? '',
    attach: () => {},
  };
}
