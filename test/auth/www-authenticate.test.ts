/** RFC 6750 §3 challenge syntax, with RFC 9728 `resource_metadata`. */
import { describe, expect, it } from 'vitest';
import { bearerChallenge, insufficientScopeHeader, type BearerChallenge } from '../../src/auth/www-authenticate.js';

describe('bearerChallenge', () => {
  it('builds the header, keeping only characters RFC 6750 allows', () => {
    const given: Array<{ challenge: BearerChallenge; want: string }> = [
      { challenge: {}, want: 'Bearer' },
      { challenge: { realm: 'a"b' }, want: 'Bearer realm="a\\"b"' },
      {
        challenge: { resourceMetadataUrl: 'http://h/.well-known/oauth-protected-resource/x', scopes: ['a', 'b'] },
        want: 'Bearer scope="a b", resource_metadata="http://h/.well-known/oauth-protected-resource/x"',
      },
      {
        challenge: { error: 'invalid_token', errorDescription: 'bad "quoted" \\ thing\n', scopes: ['ok', 'b"ad', ''] },
        want: 'Bearer error="invalid_token", error_description="bad quoted  thing", scope="ok bad"',
      },
    ];
    for (const { challenge, want } of given) expect(bearerChallenge(challenge)).toBe(want);
  });

  it('builds the insufficient_scope challenge from the resource URL', () => {
    expect(insufficientScopeHeader('http://127.0.0.1:3000/finopps/mcp', ['a:write'])).toBe(
      'Bearer error="insufficient_scope", error_description="the access token does not carry the scopes this request needs", ' +
        'scope="a:write", resource_metadata="http://127.0.0.1:3000/.well-known/oauth-protected-resource/finopps/mcp"',
    );
  });
});
