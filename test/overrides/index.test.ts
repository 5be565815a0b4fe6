import { describe, expect, it } from 'vitest';
import type { BackendApi } from '../../src/core/backend-overrides.js';
import type { CallContext } from '../../src/core/call-context.js';
import { backend as finopps } from '../../generated/finopps/index.gen.js';
import { backend as b4b } from '../../generated/b4b/index.gen.js';
import type { ToolDescriptor } from '../../contract/descriptor.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { backendModules } from '../../src/overrides/index.js';
import type { ServiceTokenSource } from '../../src/auth/client-credentials.js';
import { B4B_AUTH_KEY } from '../../src/overrides/b4b/session.js';

const logger = createLogger({ level: 'silent' });

function ctx(claims: Record<string, unknown>): CallContext {
  return { backend: 'x', tool: 't', requestId: 'r', principal: { id: 'u', scopes: [], claims } };
}

function b4bDescriptor(name: string): ToolDescriptor {
  const descriptor = b4b.tools.find((t) => t.name === name);
  if (descriptor === undefined) throw new Error(`b4b has no ${name}`);
  return descriptor;
}

/** A context with a real session handle over an in-memory record. */
function sessionCtx(): CallContext {
  const state: Record<string, unknown> = {};
  return {
    ...ctx({}),
    sessionId: 's',
    session: {
      get: <T>(key: string): T | undefined => state[key] as T | undefined,
      set: async (key: string, value: unknown): Promise<void> => {
        state[key] = value;
      },
      clear: async (): Promise<void> => {
        for (const key of Object.keys(state)) delete state[key];
      },
    },
  };
}

function tokens(): ServiceTokenSource & { invalidated: number } {
  const source = {
    invalidated: 0,
    getToken: async (): Promise<string> => 'svc',
    invalidate: (): void => {
      source.invalidated++;
    },
  };
  return source;
}

describe('backendModules', () => {
  it('has a factory for each backend with overrides', () => {
    expect(Object.keys(backendModules).sort()).toEqual(['b4b', 'finopps']);
  });

  it.each(Object.keys(backendModules))(
    "%s lists every hand-written tool's input and output schema in `schemas` (precompiled for Cloudflare Workers)",
    async (name) => {
      const plugin = backendModules[name]!;
      const overrides = await plugin.create({
        settings: new Settings({}),
        logger,
        serviceToken: tokens(),
        transport: 'http',
      });
      const listed = new Set((plugin.schemas ?? []).map((schema) => JSON.stringify(schema)));
      for (const tool of overrides.extraTools ?? []) {
        expect(listed.has(JSON.stringify(tool.inputSchema)), `${tool.name} input`).toBe(true);
        if (tool.outputSchema !== undefined) {
          expect(listed.has(JSON.stringify(tool.outputSchema)), `${tool.name} output`).toBe(true);
        }
      }
    },
  );

  const xmlCases: Array<{ given: string; env: Record<string, string>; xml: string; want: 'ok' | 'refused' }> = [
    { given: 'the default 5 MiB limit', env: {}, xml: `<a>${'x'.repeat(1000)}</a>`, want: 'ok' },
    {
      given: 'B4B_MAX_XML_BYTES=100, 101 bytes',
      env: { B4B_MAX_XML_BYTES: '100' },
      xml: `<a>${'x'.repeat(94)}</a>`,
      want: 'refused',
    },
    {
      given: 'B4B_MAX_XML_BYTES=100, 100 bytes',
      env: { B4B_MAX_XML_BYTES: '100' },
      xml: `<a>${'x'.repeat(93)}</a>`,
      want: 'ok',
    },
  ];
  it.each(xmlCases)('b4b reads the XML size limit: $given', async ({ env, xml, want }) => {
    const factory = backendModules['b4b']?.create;
    const overrides = await factory?.({
      settings: new Settings(env),
      logger,
      serviceToken: tokens(),
      transport: 'http',
    });
    const check = overrides?.tools?.['import_invoice_xml']?.check;
    expect(check).toBeTypeOf('function');
    // The check asks for a login first (see b4b.test.ts); this session is logged in.
    const signedIn = sessionCtx();
    await signedIn.session?.set(B4B_AUTH_KEY, { accessToken: 'backend-jwt' });
    const verdict = await check?.({ xml_content: xml }, signedIn);
    if (want === 'ok') expect(verdict).toBeUndefined();
    else expect(verdict).toContain('limit is 100 bytes');
  });

  it('b4b takes credentials from the environment over stdio only', async () => {
    const env = { B4B_PHONE: '+84909495665', B4B_PASSWORD: 'SecurePassword123@' };
    const descriptor = b4bDescriptor('list_entities');
    const calls: string[] = [];
    const api: BackendApi = {
      baseUrl: 'http://b4b.invalid',
      callOperation: () => Promise.reject(new Error('b4b signs in through the typed client')),
      fetchFor: () => async (request) => {
        calls.push(`${request.method} ${new URL(request.url).pathname}`);
        return Response.json({
          access_token: 'jwt-from-env',
          token_type: 'bearer',
          expires_in: 3600,
          user: { id: 'u1', email: 'a@b.c' },
        });
      },
    };
    for (const transport of ['http', 'stdio'] as const) {
      const overrides = await backendModules['b4b']?.create({
        settings: new Settings(env),
        logger,
        serviceToken: tokens(),
        transport,
      });
      const auth = await overrides?.outboundAuth?.(sessionCtx(), descriptor, api);
      if (transport === 'http') expect(auth).toEqual({ error: expect.stringContaining('login') });
      else expect(auth).toEqual({ headers: { authorization: 'Bearer jwt-from-env' } });
    }
    expect(calls).toEqual(['POST /api/v1/auth/login']);
  });

  const claimCases: Array<{
    given: string;
    env: Record<string, string>;
    claims: Record<string, unknown>;
    want: string;
  }> = [
    { given: 'the default cognito:groups claim', env: {}, claims: { 'cognito:groups': ['org-a'] }, want: 'org-a' },
    {
      given: 'FINOPPS_ORG_CLAIM',
      env: { FINOPPS_ORG_CLAIM: 'orgs' },
      claims: { orgs: 'org-b', 'cognito:groups': ['org-a'] },
      want: 'org-b',
    },
  ];
  it.each(claimCases)('finopps reads the organisation claim: $given', async ({ env, claims, want }) => {
    const source = tokens();
    const overrides = await backendModules['finopps']?.create({
      settings: new Settings(env),
      logger,
      serviceToken: source,
      transport: 'http',
    });
    expect(await overrides?.bind?.['organizationId']?.(ctx(claims), {})).toBe(want);
    // The service credential is the one the CLI passed.
    const descriptor = finopps.tools[0];
    if (descriptor === undefined) throw new Error('finopps has no tools');
    const noCall = (): never => {
      throw new Error('finopps signs in with no operation');
    };
    const auth = await overrides?.outboundAuth?.(ctx(claims), descriptor, {
      baseUrl: 'http://finopps.invalid',
      callOperation: noCall,
      fetchFor: noCall,
    });
    expect(auth).toEqual({ headers: { authorization: 'Bearer svc' } });
    expect(await overrides?.onUnauthorized?.(ctx(claims))).toBe('retry');
    expect(source.invalidated).toBe(1);
  });
});
