/**
 * The sandbox authorization server (a real oidc-provider on 127.0.0.1) with its persisted signing key read back, so
 * a test can sign real access tokens (RFC 9068 JWTs) with the very key the server publishes in its JWKS.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, type CryptoKey, type JWK } from 'jose';
import {
  startSandboxAuthorizationServer,
  type SandboxAuthorizationServer,
  type SandboxResource,
} from '../../src/sandbox/authorization-server.js';
import type { SandboxIdentity } from '../../src/sandbox/sandbox-identities.js';

/** A running sandbox authorization server and its signing key. */
export interface SigningSandbox {
  as: SandboxAuthorizationServer;
  /** The server's signing key as stored (with its `kid`). */
  jwk: JWK;
  key: CryptoKey;
  /** Stops the server and removes its key file. */
  close(): Promise<void>;
}

/** Starts the sandbox authorization server for `resources` (and `identities`, else the generic users) with a fresh key file. */
export async function startSigningSandbox(
  resources: SandboxResource[],
  identities?: readonly SandboxIdentity[],
): Promise<SigningSandbox> {
  const keysDir = await mkdtemp(join(tmpdir(), 'finmcp-issuer-'));
  const keysFile = join(keysDir, 'keys.json');
  const as = await startSandboxAuthorizationServer({
    resources,
    keysFile,
    ...(identities === undefined ? {} : { identities }),
  });
  const jwk = (JSON.parse(await readFile(keysFile, 'utf8')) as { keys: JWK[] }).keys[0]!;
  return {
    as,
    jwk,
    key: (await importJWK(jwk, 'RS256')) as CryptoKey,
    async close() {
      await as.stop();
      await rm(keysDir, { recursive: true, force: true });
    },
  };
}
