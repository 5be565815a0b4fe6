/**
 * How B4B's typed-client calls describe a non-2xx answer: its status and what its body says, whether openapi-fetch
 * handed the body over parsed as JSON (a problem document, B4B's `detail`) or as text.
 */
import { describe, expect, it } from 'vitest';
import { httpProblem } from '../../../src/overrides/b4b/client.js';

describe('httpProblem', () => {
  const cases: Array<{ name: string; status: number; error: unknown; says: RegExp[] }> = [
    {
      name: 'a problem document',
      status: 404,
      error: { type: 'about:blank', title: 'Not Found', status: 404, detail: 'Entity not found' },
      says: [/404/, /Entity not found/],
    },
    {
      name: "B4B's detail",
      status: 401,
      error: { detail: 'Invalid credentials' },
      says: [/401/, /Invalid credentials/],
    },
    {
      name: 'a text body',
      status: 502,
      error: 'Bad Gateway from the proxy',
      says: [/502/, /Bad Gateway from the proxy/],
    },
    { name: 'no body', status: 503, error: undefined, says: [/503/] },
  ];
  it.each(cases)('$name', ({ status, error, says }) => {
    const message = httpProblem(new Response(null, { status }), error);
    for (const pattern of says) expect(message).toMatch(pattern);
  });
});
