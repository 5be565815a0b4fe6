/**
 * The per-call scope check (MCP 2025-11-25, Authorization, "Runtime Insufficient Scope Errors"; RFC 6750 §3.1):
 * a `tools/call` whose tool needs scopes the caller lacks is answered 403 with the plugin's challenge; anything
 * else passes. The inbound auth is the real OAuth resource server (no token is verified here: scopes only).
 */
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/auth/inbound-auth.js';
import { createOAuthResourceServer } from '../../../src/auth/oauth-resource-server.js';
import type { InboundRequest } from '../../../src/protocol/messages.js';
import { insufficientScope } from '../../../src/transport/http/insufficient-scope.js';

const resourceServer = createOAuthResourceServer({
  resource: 'http://localhost:3000/acme/mcp',
  authorizationServers: ['http://127.0.0.1:4455'],
  jwksUri: 'http://127.0.0.1:4455/jwks',
  scopesSupported: ['invoices:read', 'payments:read'],
  toolScopes: (tool) =>
    tool === 'list_invoices' ? ['invoices:read'] : tool === 'payments_report' ? ['invoices:read', 'payments:read'] : [],
});
const principal = (scopes: string[]): Principal => ({ id: 'alice', scopes, claims: {} });
const call = (name: unknown, method = 'tools/call'): InboundRequest =>
  ({ kind: 'request', jsonrpc: '2.0', id: 7, method, params: { name } }) as InboundRequest;

describe('insufficientScope', () => {
  const cases: Array<{ name: string; request: InboundRequest; scopes: string[]; refused?: string }> = [
    { name: 'a tool whose scope the caller holds', request: call('list_invoices'), scopes: ['invoices:read'] },
    { name: 'a tool that needs no scope', request: call('get_business'), scopes: [] },
    { name: 'not a tools/call', request: call('list_invoices', 'tools/list'), scopes: [] },
    { name: 'a call without a tool name', request: call(42), scopes: [] },
    {
      name: 'a tool whose scope the caller lacks',
      request: call('list_invoices'),
      scopes: [],
      refused: 'invoices:read',
    },
    {
      name: 'a tool needing two scopes, one held',
      request: call('payments_report'),
      scopes: ['invoices:read'],
      refused: 'invoices:read payments:read',
    },
  ];

  it.each(cases)('$name', ({ request, scopes, refused }) => {
    const answer = insufficientScope(resourceServer, principal(scopes), request, 'localhost:3000');
    if (refused === undefined) {
      expect(answer).toBeUndefined();
      return;
    }
    expect(answer?.status).toBe(403);
    const body = JSON.parse(answer!.body!) as { id: number; error: { message: string } };
    expect(body).toMatchObject({ id: 7, error: { message: 'Forbidden: insufficient scope' } });
    const challenge = answer!.headers['www-authenticate']!;
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain(`scope="${refused}"`);
    expect(challenge).toContain('resource_metadata=');
  });

  it('checks nothing for a backend without inbound auth', () => {
    expect(insufficientScope(undefined, principal([]), call('list_invoices'))).toBeUndefined();
  });

  it('falls back to a plain Bearer challenge when the plugin has no insufficientScope answer of its own', () => {
    const { insufficientScope: _own, ...plain } = resourceServer;
    const answer = insufficientScope(plain, principal([]), call('list_invoices'));
    expect(answer?.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="invoices:read"');
  });
});
