/**
 * What a bundle asks its user for, for a backend as `serve` plans it (src/cli/pack/bundle-settings.ts), and the
 * mistakes `finmcp pack` refuses before it packs anything. The bundles themselves: test/cli/pack.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { GeneratedBackend } from '../../contract/descriptor.js';
import { runPack } from '../../src/cli/pack.js';
import { bundleSettings, userConfigOf } from '../../src/cli/pack/bundle-settings.js';
import type { BackendPlan } from '../../src/cli/serve/backend-plans.js';
import { ConfigError } from '../../src/config.js';

/** A backend without an override module whose spec declares these security schemes. */
function specOnlyPlan(securitySchemes: GeneratedBackend['securitySchemes']): BackendPlan {
  const generated = {
    name: 'acme-books',
    title: 'Acme Books',
    version: '1.0.0',
    specFile: 'specs/acme-books.yaml',
    servers: [],
    securitySchemes,
    tools: [],
    validators: {},
  } satisfies GeneratedBackend;
  return { name: 'acme-books', generated, overrides: {}, oauth: false, serviceCredential: false };
}

describe('bundle settings of a backend without an override module', () => {
  it("asks for the static secrets its spec's schemes call for, sensitive, named by its variables", () => {
    const plan = specOnlyPlan({
      key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      basic: { type: 'http', scheme: 'basic' },
    });
    const settings = bundleSettings(plan);
    expect(settings.map((s) => s.env)).toEqual([
      'FINMCP_SANDBOX',
      'ACME_BOOKS_BACKEND_URL',
      'ACME_BOOKS_API_KEY',
      'ACME_BOOKS_BASIC_AUTH',
    ]);
    const { userConfig, env } = userConfigOf(settings);
    expect(env['ACME_BOOKS_API_KEY']).toBe(`$\{user_config.api_key}`);
    expect(userConfig['api_key']).toMatchObject({ title: 'API key', type: 'string', sensitive: true, default: '' });
    expect(userConfig['basic_auth']).toMatchObject({ sensitive: true });
    expect(userConfig['backend_url']).toMatchObject({ title: 'Backend URL', required: false, default: '' });
    expect(userConfig['backend_url']?.sensitive).toBeUndefined();
    expect(userConfig['backend_url']?.description).toContain('(ACME_BOOKS_BACKEND_URL)');
  });

  it('asks for a bearer token for OAuth 2.0 and OpenID Connect schemes, and nothing for a query-string key', () => {
    const oauth = bundleSettings(specOnlyPlan({ o: { type: 'oauth2', flows: {} } })).map((s) => s.key);
    expect(oauth).toEqual(['sandbox', 'backend_url', 'bearer_token']);
    const query = bundleSettings(specOnlyPlan({ q: { type: 'apiKey', in: 'query', name: 'key' } })).map((s) => s.key);
    expect(query).toEqual(['sandbox', 'backend_url']);
  });
});

describe('finmcp pack refuses, naming what to fix', () => {
  it('an unknown backend, listing the known ones', async () => {
    const packing = runPack(['nope'], { out: 'unused' });
    await expect(packing).rejects.toThrow(ConfigError);
    await expect(packing).rejects.toThrow(/unknown backend "nope": available are .*finopps/);
  });

  it('a registry namespace that is not a reverse-DNS name, and a bundle URL that is not http(s)', async () => {
    await expect(runPack(['finopps'], { out: 'unused', registryNamespace: 'io.github/me' })).rejects.toThrow(
      /--registry-namespace must be letters, digits, dots and hyphens.*got "io.github\/me"/,
    );
    await expect(runPack(['finopps'], { out: 'unused', bundleBaseUrl: 'ftp://example.com/x' })).rejects.toThrow(
      /--bundle-base-url must be an http\(s\) URL \(got "ftp:\/\/example.com\/x"\)/,
    );
  });
});
