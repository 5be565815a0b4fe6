/** RFC 9728 §3.1 well-known URI construction. */
import { describe, expect, it } from 'vitest';
import {
  buildProtectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataUrl,
} from '../../src/auth/protected-resource-metadata.js';

describe('protected resource metadata', () => {
  it('inserts the well-known segment between host and path', () => {
    const given = [
      { resource: 'http://127.0.0.1:3000/finopps/mcp', want: '/.well-known/oauth-protected-resource/finopps/mcp' },
      { resource: 'http://127.0.0.1:3000/b4b/mcp/', want: '/.well-known/oauth-protected-resource/b4b/mcp' },
      { resource: 'https://api.example.com', want: '/.well-known/oauth-protected-resource' },
      { resource: 'https://api.example.com/', want: '/.well-known/oauth-protected-resource' },
    ];
    for (const { resource, want } of given) {
      expect(protectedResourceMetadataPath(resource), resource).toBe(want);
      expect(protectedResourceMetadataUrl(resource), resource).toBe(new URL(want, resource).href);
    }
  });

  it('describes the resource with header-only bearer tokens', () => {
    expect(
      buildProtectedResourceMetadata({ resource: 'http://h/x', authorizationServers: ['http://as'], scopesSupported: ['s'] }),
    ).toEqual({
      resource: 'http://h/x',
      authorization_servers: ['http://as'],
      scopes_supported: ['s'],
      bearer_methods_supported: ['header'],
    });
  });
});
