/** RFC 8414 §3 / OpenID Discovery §4 metadata locations, and discovery against the real sandbox server. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchAuthorizationServerMetadata, metadataUrls } from '../../src/auth/authorization-server-metadata.js';
import {
  startSandboxAuthorizationServer,
  type SandboxAuthorizationServer,
} from '../../src/sandbox/authorization-server.js';

describe('authorization server metadata', () => {
  let as: SandboxAuthorizationServer;
  beforeAll(async () => {
    as = await startSandboxAuthorizationServer({ resources: [] });
  });
  afterAll(async () => {
    await as?.stop();
  });

  it('tries the RFC 8414 then the OpenID location', () => {
    const given = [
      {
        issuer: 'https://as.example.com',
        want: [
          'https://as.example.com/.well-known/oauth-authorization-server',
          'https://as.example.com/.well-known/openid-configuration',
        ],
      },
      {
        issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc',
        want: [
          'https://cognito-idp.eu-west-1.amazonaws.com/.well-known/oauth-authorization-server/eu-west-1_Abc',
          'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc/.well-known/openid-configuration',
        ],
      },
    ];
    for (const { issuer, want } of given) expect(metadataUrls(issuer)).toEqual(want);
  });

  it('fetches metadata whose issuer matches, and refuses one that does not', async () => {
    const metadata = await fetchAuthorizationServerMetadata(as.issuer);
    expect(metadata).toMatchObject({
      issuer: as.issuer,
      jwks_uri: `${as.issuer}/jwks`,
      token_endpoint: `${as.issuer}/token`,
    });
    // Same server under another name: its documents name a different issuer.
    const alias = as.issuer.replace('127.0.0.1', 'localhost');
    await expect(fetchAuthorizationServerMetadata(alias)).rejects.toThrow(/does not match/);
  });
});
