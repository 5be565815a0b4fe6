/**
 * `finmcp serve b4b --transport http --sandbox --code` end to end, through the SDK client over Streamable HTTP:
 * `tools/list` shows the two code-mode tools, and one `run_code` signs in and answers a question; `--dynamic` and
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
    new Settings({ FINMCP_SANDBOX_AUTH_PORT: '0' }),
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

  it('refuses --dynamic with --code', async () => {
    await expect(
      startServers(['b4b'], { transport: 'stdio', sandbox: true, code: true, dynamic: true }, new Settings({}), logger),
    ).rejects.toThrow(ConfigError);
  });
});
