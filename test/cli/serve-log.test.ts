/**
 * The start-up log names the URLs clients must use (issue 14 item 8: it printed 127.0.0.1 while the OAuth resources
 * are http://localhost:<port>/…, so a client pointed at the printed URL failed the audience check).
 */
import { describe, expect, it } from 'vitest';
import { connectionHelp, startServers } from '../../src/cli/serve.js';
import { Settings } from '../../src/config.js';
import { createLogger } from '../../src/log.js';

describe('serve start-up log', () => {
  it('logs the public URL (localhost form by default) and the endpoints under it; the bound address apart', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const running = await startServers(
      ['b4b'],
      { transport: 'http', port: '0' },
      new Settings({ B4B_BACKEND_URL: 'http://127.0.0.1:9' }),
      logger,
    );
    try {
      const port = new URL(running.url!).port;
      const serving = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'serving');
      expect(serving).toMatchObject({
        url: `http://localhost:${port}`,
        endpoints: { b4b: `http://localhost:${port}/b4b/mcp` },
        listening: `http://127.0.0.1:${port}`,
      });
      expect(connectionHelp(running)).toContain(`http://localhost:${port}/b4b/mcp`);
      expect(connectionHelp(running)).not.toContain('127.0.0.1');
    } finally {
      await running.close();
    }
  });
});
