/** Static API keys: constant-time match, principal = key id, 401 otherwise, no scopes, no metadata routes. */
import { describe, expect, it } from 'vitest';
import { createApiKeyAuth } from '../../src/auth/api-keys.js';

const KEYS = [
  { id: 'ci', key: 'k_ci_0123456789abcdef' },
  { id: 'laptop', key: 'k:laptop/with+symbols=' },
];

describe('createApiKeyAuth', () => {
  const auth = createApiKeyAuth({ keys: KEYS });

  it('maps a good key to its id', async () => {
    const given = [
      { header: `Bearer ${KEYS[0]!.key}`, want: 'ci' },
      { header: `bearer ${KEYS[1]!.key}`, want: 'laptop' },
    ];
    for (const { header, want } of given) {
      expect(await auth.authenticate(header), want).toEqual({
        ok: true,
        principal: { id: want, scopes: [], claims: {} },
      });
    }
  });

  it('refuses a missing or wrong key with 401 and never echoes it', async () => {
    const given = [
      { name: 'no header', header: undefined, want: { error: 'unauthorized', challenge: 'Bearer realm="finmcp"' } },
      {
        name: 'other scheme',
        header: `Basic ${KEYS[0]!.key}`,
        want: { error: 'unauthorized', challenge: 'Bearer realm="finmcp"' },
      },
      ...['k_ci_0123456789abcdeX', 'k_ci_0123456789abcde', `${KEYS[0]!.key}0`, 'x'].map((key) => ({
        name: `wrong key ${key}`,
        header: `Bearer ${key}`,
        want: {
          error: 'invalid_token',
          challenge: 'Bearer realm="finmcp", error="invalid_token", error_description="unknown API key"',
        },
      })),
      {
        name: 'empty bearer',
        header: 'Bearer ',
        want: {
          error: 'invalid_token',
          challenge: 'Bearer realm="finmcp", error="invalid_token", error_description="unknown API key"',
        },
      },
    ];
    for (const { name, header, want } of given) {
      const result = await auth.authenticate(header);
      expect(result.ok, name).toBe(false);
      if (result.ok) continue;
      expect(result.status, name).toBe(401);
      expect(result.headers['www-authenticate'], name).toBe(want.challenge);
      expect(result.body.error, name).toBe(want.error);
      for (const { key } of KEYS) expect(JSON.stringify(result), name).not.toContain(key);
    }
  });

  it('needs no scopes and serves no metadata', () => {
    expect(auth.requiredScopes('anything')).toEqual([]);
    expect(auth.wellKnown()).toEqual({});
  });

  it('refuses bad key lists', () => {
    const given = [
      { keys: [], want: /at least one API key/ },
      { keys: [{ id: 'a', key: '' }], want: /API key a is empty/ },
      {
        keys: [
          { id: 'a', key: 'x' },
          { id: 'a', key: 'y' },
        ],
        want: /duplicate API key id a/,
      },
    ];
    for (const { keys, want } of given) expect(() => createApiKeyAuth({ keys })).toThrow(want);
  });
});
