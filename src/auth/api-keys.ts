/**
 * Static API keys as an alternative inbound credential, sent as `Authorization: Bearer <key>` (RFC 6750 §2.1).
 * Comparison hashes both sides to a fixed length and uses `timingSafeEqual`, and always checks every key, so
 * timing reveals neither key contents nor which key matched. No RFC 9728 metadata: there is no authorization
 * server to discover.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { InboundAuth, InboundAuthResult } from './inbound-auth.js';
import { extractBearerToken } from './bearer-token.js';
import { bearerChallenge } from './www-authenticate.js';

/** One accepted key; `id` becomes the principal id (and is logged), `key` is secret. */
interface ApiKey {
  id: string;
  key: string;
}

/** Options for {@link createApiKeyAuth}. */
export interface ApiKeyAuthOptions {
  keys: ApiKey[];
}

const REALM = 'finmcp';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Creates the API key check. Throws on an empty key list, an empty key, or duplicate ids. */
export function createApiKeyAuth(options: ApiKeyAuthOptions): InboundAuth {
  if (options.keys.length === 0) throw new Error('at least one API key is required');
  const ids = new Set<string>();
  for (const { id, key } of options.keys) {
    if (key.length === 0) throw new Error(`API key ${id} is empty`);
    if (ids.has(id)) throw new Error(`duplicate API key id ${id}`);
    ids.add(id);
  }
  // Only digests are kept in memory after start-up.
  const entries = options.keys.map(({ id, key }) => ({ id, digest: digest(key) }));

  const unauthorized = (presented: boolean): InboundAuthResult => ({
    ok: false,
    status: 401,
    headers: {
      'www-authenticate': bearerChallenge({
        realm: REALM,
        ...(presented ? { error: 'invalid_token' as const, errorDescription: 'unknown API key' } : {}),
      }),
    },
    body: presented
      ? { error: 'invalid_token', error_description: 'unknown API key' }
      : { error: 'unauthorized', error_description: 'an API key is required (Authorization: Bearer <key>)' },
  });

  return {
    async authenticate(authorization: string | undefined): Promise<InboundAuthResult> {
      const extracted = extractBearerToken(authorization, { strict: false });
      if (extracted.kind === 'missing') return unauthorized(false);
      if (extracted.kind === 'malformed') return unauthorized(true);
      const presented = digest(extracted.token);
      let matched: string | undefined;
      for (const entry of entries) {
        // No early exit: every key is compared.
        if (timingSafeEqual(presented, entry.digest) && matched === undefined) matched = entry.id;
      }
      if (matched === undefined) return unauthorized(true);
      return { ok: true, principal: { id: matched, scopes: [], claims: {} } };
    },
    requiredScopes(): string[] {
      return [];
    },
    wellKnown(): Record<string, Record<string, unknown>> {
      return {};
    },
  };
}
