/**
 * Signing keys of the sandbox authorization server, as a private JSON Web Key Set (RFC 7517 §5). Persisted to a
 * file (mode 0600) when asked, so that `finmcp token` and a restarted server sign with the same key and earlier
 * tokens keep verifying against the published JWKS (RFC 8414 `jwks_uri`). The key id is the RFC 7638 thumbprint.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** A private JWKS as oidc-provider's `jwks` option takes it. */
export interface PrivateJwks {
  keys: JWK[];
}

/** Generates one RS256 signing key (RS256 is what every MCP client and Cognito-style verifier accepts). */
async function generateSigningKeys(): Promise<PrivateJwks> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] };
}

function parseJwks(text: string, file: string): PrivateJwks {
  const value: unknown = JSON.parse(text);
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (
    !Array.isArray(keys) ||
    keys.length === 0 ||
    !keys.every((k) => typeof k === 'object' && k !== null && 'd' in k)
  ) {
    throw new Error(`${file} is not a private JSON Web Key Set: delete it to have a new one generated`);
  }
  return { keys: keys as JWK[] };
}

/**
 * Reads the key set from `file`, or generates one and stores it there. Creation is atomic (write a temporary
 * file, then hard-link it into place, which fails if another process won the race) so two processes starting
 * together still end up with one key set.
 */
export async function loadOrCreateSigningKeys(file?: string): Promise<PrivateJwks> {
  if (file === undefined) return generateSigningKeys();
  try {
    return parseJwks(await readFile(file, 'utf8'), file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const jwks = await generateSigningKeys();
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temporary, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  try {
    await link(temporary, file);
    return jwks;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return parseJwks(await readFile(file, 'utf8'), file);
  } finally {
    await rm(temporary, { force: true });
  }
}
