/**
 * The floor for cold start and idle memory: the smallest possible stdio MCP server — plain Node, no SDK, no
 * spec — that answers `initialize` and an empty `tools/list`. Whatever a real server needs beyond this to
 * start (imports, spec loading, validators) is its own cost.
 */
import { createInterface } from 'node:readline';

const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  let message: { id?: unknown; method?: string };
  try {
    message = JSON.parse(line) as { id?: unknown; method?: string };
  } catch {
    return;
  }
  if (message.id === undefined) return;
  const id = JSON.stringify(message.id);
  if (message.method === 'initialize') {
    process.stdout.write(
      `{"jsonrpc":"2.0","id":${id},"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"floor","version":"1.0.0"}}}\n`,
    );
  } else if (message.method === 'tools/list') {
    process.stdout.write(`{"jsonrpc":"2.0","id":${id},"result":{"tools":[]}}\n`);
  } else {
    process.stdout.write(`{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"Method not found"}}\n`);
  }
});
lines.on('close', () => process.exit(0));
