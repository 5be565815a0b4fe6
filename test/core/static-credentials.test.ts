/**
 * Outbound credentials of a backend without an override module (src/core/static-credentials.ts): the secrets its
 * `<BACKEND>_API_KEY` / `_BEARER_TOKEN` / `_BASIC_AUTH` rows give, sandbox placeholders for the missing ones, and
 * the first satisfiable security requirement of each operation met from them.
 */
import { describe, expect, it } from 'vitest';
import type { GeneratedBackend, ToolDescriptor } from '../../contract/descriptor.js';
import type { CallContext } from '../../src/core/call-context.js';
import type { BackendApi } from '../../src/core/backend-overrides.js';
import { staticCredentials, staticSecrets } from '../../src/core/static-credentials.js';

function tool(name: string, security: ToolDescriptor['operation']['security']): ToolDescriptor {
  return {
    name,
    title: name,
    description: name,
    inputSchema: { type: 'object' },
    outputSchema: { type: 'object' },
    annotations: {},
    operation: { method: 'get', path: `/${name}`, deprecated: false, tags: [], security },
    parameters: [],
    output: { status: '200' },
  };
}

function backend(securitySchemes: GeneratedBackend['securitySchemes']): GeneratedBackend {
  return {
    name: 'acme',
    title: 'Acme',
    version: '1',
    specFile: 'specs/acme.yaml',
    servers: [],
    securitySchemes,
    tools: [],
    validators: {},
  };
}

const ctx = {} as CallContext;
const api = {} as BackendApi;

describe('staticSecrets', () => {
  it('keeps the secrets given and adds nothing outside the sandbox', () => {
    expect(staticSecrets({ apiKey: 'k', bearerToken: undefined, basicAuth: undefined }, false)).toEqual({
      apiKey: 'k',
    });
  });

  it('fills each missing secret with a placeholder in the sandbox', () => {
    expect(staticSecrets({ bearerToken: 't' }, true)).toEqual({
      apiKey: 'finmcp-sandbox',
      bearerToken: 't',
      basicAuth: 'finmcp-sandbox:finmcp-sandbox',
    });
  });
});

describe('staticCredentials', () => {
  const schemes = {
    key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
    cookieKey: { type: 'apiKey', in: 'cookie', name: 'sid' },
    queryKey: { type: 'apiKey', in: 'query', name: 'key' },
    bearer: { type: 'http', scheme: 'Bearer' },
    basic: { type: 'http', scheme: 'basic' },
  };

  it('is undefined for a spec without security schemes', () => {
    expect(staticCredentials(backend({}), { apiKey: 'k' })).toBeUndefined();
  });

  it('meets the first requirement it can, with every scheme of that requirement', async () => {
    const auth = staticCredentials(backend(schemes), { apiKey: 'k', basicAuth: 'u:p' });
    const both = tool('both', [{ bearer: [] }, { key: [], basic: [] }]);
    expect(await auth?.(ctx, both, api)).toEqual({
      headers: { 'x-api-key': 'k', authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
    });
    const cookieAuth = staticCredentials(backend(schemes), { apiKey: 'k v' });
    expect(await cookieAuth?.(ctx, tool('cookie', [{ cookieKey: [] }]), api)).toEqual({
      headers: { cookie: 'sid=k%20v' },
    });
  });

  it('sends nothing for a query-string key, an unmet requirement, or a public operation', async () => {
    const auth = staticCredentials(backend(schemes), { apiKey: 'k' });
    expect(await auth?.(ctx, tool('query', [{ queryKey: [] }]), api)).toEqual({ headers: {} });
    expect(await auth?.(ctx, tool('bearer', [{ bearer: [] }]), api)).toEqual({ headers: {} });
    expect(await auth?.(ctx, tool('public', []), api)).toEqual({ headers: {} });
  });

  it('sends a bearer token for http bearer, oauth2 and openIdConnect schemes', async () => {
    const auth = staticCredentials(
      backend({ ...schemes, oauth: { type: 'oauth2' }, oidc: { type: 'openIdConnect' } }),
      { bearerToken: 't' },
    );
    for (const scheme of ['bearer', 'oauth', 'oidc']) {
      expect(await auth?.(ctx, tool(scheme, [{ [scheme]: [] }]), api)).toEqual({
        headers: { authorization: 'Bearer t' },
      });
    }
  });
});
