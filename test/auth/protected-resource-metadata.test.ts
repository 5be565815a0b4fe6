/** RFC 9728 §3.1 well-known URI construction. */
import { describe, expect, it } from 'vitest';
import {
  buildProtectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataUrl,
} from '../../src/auth/protected-resource-metadata.js';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';

describe('protected resource metadata', () => {
  // Resource identifier → its metadata path: the well-known segment goes between host and path.
  const paths: Record<string, string> = {
    'http://127.0.0.1:3000/finopps/mcp': `${WELL_KNOWN}/finopps/mcp`,
    'http://127.0.0.1:3000/b4b/mcp/': `${WELL_KNOWN}/b4b/mcp`,
    'https://api.example.com': WELL_KNOWN,
    'https://api.example.com/': WELL_KNOWN,
  };
  it.each(Object.entries(paths))('%s → %s', (resource, want) => {
    expect(protectedResourceMetadataPath(resource)).toBe(want);
    expect(protectedResourceMetadataUrl(resource)).toBe(new URL(want, resource).href);
  });

  it('describes the resource with header-only bearer tokens', () => {
    expect(
      buildProtectedResourceMetadata({
        resource: 'http://h/x',
        authorizationServers: ['http://as'],
        scopesSupported: ['s'],
      }),
    ).toEqual({
      resource: 'http://h/x',
      authorization_servers: ['http://as'],
      scopes_supported: ['s'],
      bearer_methods_supported: ['header'],
    });
  });
});
