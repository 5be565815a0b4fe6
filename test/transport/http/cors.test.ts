/**
 * Origin and CORS (MCP 2026-07-28, Streamable HTTP, "Security & Endpoint": an invalid `Origin` gets 403; Fetch
 * standard §3.2): no Origin, no CORS headers; an allowed or same-origin one is echoed with the exposed headers; any
 * other is refused. Preflights answer 204 echoing a well-formed header list, else the default list.
 */
import { describe, expect, it } from 'vitest';
import { corsFor, preflight } from '../../../src/transport/http/cors.js';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS } from '../../../src/transport/http-guards.js';
import { httpRequest } from './request.js';

const allowed = (origin: string): boolean => origin === 'http://localhost:6274';

describe('corsFor', () => {
  const cases: Array<{ name: string; headers: Record<string, string>; verdict: 'none' | 'allowed' | 'refused' }> = [
    { name: 'no Origin (not a browser)', headers: { host: 'localhost:3000' }, verdict: 'none' },
    {
      name: 'an allowed origin',
      headers: { origin: 'http://localhost:6274', host: 'localhost:3000' },
      verdict: 'allowed',
    },
    {
      name: 'the same origin over http',
      headers: { origin: 'http://localhost:3000', host: 'localhost:3000' },
      verdict: 'allowed',
    },
    {
      name: 'the same origin, any case',
      headers: { origin: 'HTTPS://LocalHost:3000', host: 'localhost:3000' },
      verdict: 'allowed',
    },
    {
      name: 'a foreign origin',
      headers: { origin: 'https://evil.example', host: 'localhost:3000' },
      verdict: 'refused',
    },
    {
      name: 'another port of the host',
      headers: { origin: 'http://localhost:3001', host: 'localhost:3000' },
      verdict: 'refused',
    },
    { name: 'an origin without a Host to compare', headers: { origin: 'http://localhost:3000' }, verdict: 'refused' },
    { name: 'the literal null origin', headers: { origin: 'null', host: 'localhost:3000' }, verdict: 'refused' },
  ];

  it.each(cases)('$name: $verdict', ({ headers, verdict }) => {
    const result = corsFor(httpRequest(headers), allowed);
    if (verdict === 'refused') {
      expect('refusal' in result && result.refusal.status).toBe(403);
      if ('refusal' in result) expect(result.refusal.body).toContain('Origin not allowed');
      return;
    }
    expect('headers' in result).toBe(true);
    const added = 'headers' in result ? result.headers : undefined;
    if (verdict === 'none') {
      expect(added).toBeUndefined();
      return;
    }
    expect(added).toEqual({
      'access-control-allow-origin': headers['origin'],
      'access-control-expose-headers': CORS_EXPOSE_HEADERS,
      vary: 'Origin',
    });
  });
});

describe('preflight', () => {
  const cases: Array<{ name: string; requested?: string; allowHeaders: string }> = [
    { name: 'no requested headers: the default list', allowHeaders: CORS_ALLOW_HEADERS },
    {
      name: 'a well-formed list is echoed',
      requested: 'content-type, mcp-session-id,Authorization',
      allowHeaders: 'content-type, mcp-session-id,Authorization',
    },
    {
      name: 'a list with a line break: the default list',
      requested: 'a\r\nset-cookie: x',
      allowHeaders: CORS_ALLOW_HEADERS,
    },
    { name: 'a trailing comma: the default list', requested: 'content-type,', allowHeaders: CORS_ALLOW_HEADERS },
  ];

  it.each(cases)('$name', ({ requested, allowHeaders }) => {
    const answer = preflight(
      httpRequest(requested === undefined ? {} : { 'access-control-request-headers': requested }, {
        method: 'OPTIONS',
      }),
    );
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    expect(answer.headers).toMatchObject({
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers': allowHeaders,
      'access-control-max-age': '600',
    });
  });
});
