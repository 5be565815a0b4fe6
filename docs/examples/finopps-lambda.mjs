// AWS Lambda handler serving FinOpps over MCP Streamable HTTP (2026-07-28 and 2025-11-25) behind an API Gateway
// HTTP API (payload format 2.0). See docs/serverless.md. The handler is built once per instance (cold start) and
// reused; each event becomes a web-standard Request and the Response goes back as the Lambda result.
import { createServerlessHandler } from 'finmcp/serverless';

export const ready = createServerlessHandler(['finopps']);

/** API Gateway HTTP API event (payload 2.0) → WHATWG Request. */
export function toRequest(event) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) if (value !== undefined) headers.set(name, value);
  const host = headers.get('host') ?? event.requestContext.domainName;
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const method = event.requestContext.http.method;
  const body =
    event.body === undefined || method === 'GET' || method === 'HEAD'
      ? undefined
      : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  return new Request(`https://${host}${event.rawPath}${query}`, { method, headers, body });
}

/** WHATWG Response → Lambda result. */
export async function toResult(response) {
  return {
    statusCode: response.status,
    headers: Object.fromEntries(response.headers),
    body: await response.text(),
    isBase64Encoded: false,
  };
}

export async function handler(event) {
  const mcp = await ready;
  return toResult(await mcp.fetch(toRequest(event)));
}
