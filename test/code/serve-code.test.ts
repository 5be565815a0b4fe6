/**
 * `finmcp serve b4b --transport http --sandbox --code` end to end, through the SDK client over Streamable HTTP:
 * `tools/list` shows the two code-mode tools, and one `run_code` signs in and answers a question; each `api` call
 * of a program takes a request from the caller's rate limit, like the tool call it stands for; `--dynamic` and
 * `--code` together are refused at start-up, naming both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServers, type RunningServers } from '../../src/cli/serve.js';
import { ConfigError, Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { Conversation } from '../scenarios/conversation.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
let running: RunningServers;

beforeAll(async () => {
  running = await startServers(
    ['b4b'],
    { transport: 'http', port: '0', sandbox: true, code: true },
    // A bucket of 40 requests that hardly refills during the test: the rate-limit case below drains it.
    new Settings({ FINMCP_SANDBOX_AUTH_PORT: '0', FINMCP_RATE_LIMIT_PER_MINUTE: '1', FINMCP_RATE_LIMIT_BURST: '40' }),
    logger,
  );
}, 300_000);

afterAll(async () => {
  await running?.close();
});

describe('serve --code', () => {
  it('lists search_api and run_code, and one program signs in and answers', async () => {
    const chat = await Conversation.open(running.endpoints['b4b']!);
    try {
      const answer = await chat.call('run_code', {
        code: [
          "await api.login({ phone: '+84909495665', password: 'SecurePassword123@' });",
          'const entities = await api.list_entities({ per_page: 100 });',
          'return entities.items.map((e) => e.name).sort();',
        ].join('\n'),
      });
      expect(answer['result']).toHaveLength(3);
      expect(answer['calls']).toBe(2);
    } finally {
      await chat.close();
    }
  });

  it("counts every api call against the caller's rate limit, as the tool call would be", async () => {
    const chat = await Conversation.open(running.endpoints['b4b']!);
    try {
      // 46 api calls in one tools/call: far more than the requests left in the caller's bucket of 40.
      const result = await chat.check('run_code', {
        code: [
          "await api.login({ phone: '+84909495665', password: 'SecurePassword123@' });",
          'for (let i = 0; i < 45; i++) await api.list_entities({ per_page: 1 });',
          'return 1;',
        ].join('\n'),
      });
      expect(result.isError).toBe(true);
      const text = result.content.map((block) => block.text).join('\n');
      expect(text).toMatch(/^The program failed after \d+ API calls: api\.list_entities: refused: too many requests/);
      const made = Number(/after (\d+) API calls/.exec(text)?.[1]);
      expect(made).toBeLessThan(40);
      // The program's calls emptied the same bucket a tools/call draws on: the next request is refused with 429.
      await expect(chat.check('run_code', { code: 'return 1;' })).rejects.toThrow(/429|Too many requests/);
    } finally {
      await chat.close().catch(() => undefined);
    }
  });

  it('refuses --dynamic with --code', async () => {
    await expect(
      startServers(['b4b'], { transport: 'stdio', sandbox: true, code: true, dynamic: true }, new Settings({}), logger),
    ).rejects.toThrow(ConfigError);
  });
});
