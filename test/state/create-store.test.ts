/**
 * Choosing the state store from configuration: memory by default; Redis only with a well-formed URL and a key
 * of at least 32 bytes, refused at start-up otherwise with a message saying how to make one.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, Settings } from '../../src/config.js';
import { checkStateSettings, createStateStore } from '../../src/state/create-store.js';
import { MemorySessionStore } from '../../src/state/session-store.js';
import { logger, newStateKey } from './helpers.js';

const limits = {
  idleTtlMs: 60_000,
  maxSessions: 10,
  maxSessionsPerCaller: 5,
  onSessionEnd: (): void => undefined,
  rateLimit: { perMinute: 60, burst: 6 },
};

describe('state store configuration', () => {
  it('uses memory by default, with the in-process limiter', async () => {
    const store = await createStateStore(new Settings({}), limits, logger);
    expect(store.kind).toBe('memory');
    expect(store.sessions).toBeInstanceOf(MemorySessionStore);
    expect(store.rateLimiter).toBeUndefined();
    await store.close();
  });

  it('refuses Redis without a key, saying how to make one', () => {
    const check = (): unknown => checkStateSettings(new Settings({ FINMCP_STATE_STORE: 'redis://127.0.0.1:6379' }));
    expect(check).toThrow(ConfigError);
    expect(check).toThrow(/FINMCP_STATE_KEY is required .*openssl rand -base64 32/);
  });

  it.each([
    ['too short', Buffer.alloc(16, 1).toString('base64'), /at least 32 random bytes \(got 16\)/],
    ['not base64', 'not base64 at all!', /must be base64/],
  ])('refuses a key that is %s', (_, key, message) => {
    expect(() => checkStateSettings(new Settings({ FINMCP_STATE_STORE: 'redis://h', FINMCP_STATE_KEY: key }))).toThrow(
      message,
    );
  });

  it.each(['redis', 'http://h:6379', 'redis://'])('refuses the store %s', (value) => {
    expect(() =>
      checkStateSettings(new Settings({ FINMCP_STATE_STORE: value, FINMCP_STATE_KEY: newStateKey() })),
    ).toThrow(/FINMCP_STATE_STORE must be `memory` or a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('accepts redis:// and rediss:// with a base64 or base64url key', () => {
    const key = newStateKey();
    expect(
      checkStateSettings(
        new Settings({
          FINMCP_STATE_STORE: 'rediss://:pw@cache:6380/2',
          FINMCP_STATE_KEY: key.replace(/\+/g, '-').replace(/\//g, '_'),
        }),
      ),
    ).toBe('rediss://:pw@cache:6380/2');
  });
});
