/**
 * Routing of typed-client requests to generated operations (OpenAPI 3.1 §4.8.8: concrete paths before templated
 * ones), over the real B4B contract, and the refusal of anything the contract does not describe.
 */
import { describe, expect, it } from 'vitest';
import { backend as b4b } from '../../generated/b4b/index.gen.js';
import { operationFetch, operationRoute } from '../../src/core/operation-fetch.js';
import { buildServedTools } from '../../src/core/served-tools.js';

const route = operationRoute(buildServedTools({ generated: b4b, overrides: {} }, 1000).operations.values());
const ENTITY = '550e8400-e29b-41d4-a716-446655440000';

describe('operationRoute', () => {
  const cases: Array<{ method: string; path: string; want: string | undefined }> = [
    { method: 'POST', path: '/api/v1/auth/login', want: 'login' },
    { method: 'GET', path: '/api/v1/auth/me', want: 'whoami' },
    { method: 'GET', path: `/api/v1/entities/${ENTITY}/invoices/statistics`, want: 'get_invoice_statistics' },
    { method: 'GET', path: `/api/v1/entities/${ENTITY}/invoices/inv-1`, want: 'get_invoice' },
    { method: 'put', path: `/api/v1/entities/${ENTITY}`, want: 'update_entity' },
    { method: 'GET', path: '/api/v1/auth/login', want: undefined },
    { method: 'GET', path: `/api/v1/entities/${ENTITY}/invoices/inv-1/extra`, want: undefined },
    { method: 'GET', path: '/api/v1/entities/../auth/me', want: undefined },
  ];
  it.each(cases)('$method $path → $want', ({ method, path, want }) => {
    expect(route(method, path)?.generatedName).toBe(want);
  });
});

describe('operationFetch', () => {
  const sent: string[] = [];
  const fetch = operationFetch('http://b4b.invalid', route, async (tool, req) => {
    sent.push(`${tool.generatedName} ${req.method} ${req.path}`);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: undefined,
      raw: Buffer.from('{"ok":true}'),
      attempts: 1,
    };
  });

  it('sends a request of the contract as its operation', async () => {
    const res = await fetch(new Request('http://b4b.invalid/api/v1/auth/me'));
    expect(await res.json()).toEqual({ ok: true });
    expect(sent).toEqual(['whoami GET /api/v1/auth/me']);
  });

  it('refuses a path the contract does not describe, and another host, sending nothing', async () => {
    sent.length = 0;
    await expect(fetch(new Request('http://b4b.invalid/api/v1/admin', { method: 'DELETE' }))).rejects.toThrow(
      /no operation of the backend's contract/,
    );
    await expect(fetch(new Request('http://elsewhere.invalid/api/v1/auth/me'))).rejects.toThrow(
      /outside the backend base URL/,
    );
    expect(sent).toEqual([]);
  });
});
