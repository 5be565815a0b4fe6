/**
 * The commands `finmcp serve --transport http --sandbox` (what `npm start` runs) prints work exactly as printed
 * (issue 26: the Inspector CLI hint for FinOpps had no bearer header, and `finmcp token` asked for a resource on
 * the default port). The server runs on OS-chosen ports (HTTP and the sandbox authorization server), and the
 * printed lines are run by a shell in the clone with no `FINMCP_*` variable set: the hints must carry everything.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/paths.js';
import { type ServeProcess, spawnServe } from '../../testkit/serve-process.js';

const run = promisify(execFile);
let server: ServeProcess | undefined;
const printed: string[] = [];

/** The environment of a new shell: this one's, without any finmcp setting. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('FINMCP_') && !name.startsWith('FINOPPS_') && !name.startsWith('B4B_'),
    ),
  );
}

beforeAll(async () => {
  server = spawnServe({
    backends: ['finopps', 'b4b'],
    args: ['--transport', 'http', '--sandbox', '--port', '0', '--sandbox-auth-port', '0'],
    baseEnv: cleanEnv(),
    env: { FINMCP_LOG_LEVEL: 'warn' },
    onLine: (line) => printed.push(line),
  });
  // The help ends with the sandbox server's token lines, then an empty line.
  await server.waitForLine(
    (line) => (line === '' && printed.some((l) => l.includes('a token for curl')) ? true : undefined),
    60_000,
  );
}, 90_000);

afterAll(async () => {
  await server?.stop();
});

/** The printed line after `label`, without it. */
function hint(label: string): string {
  const index = printed.findIndex((l) => l.trimStart().startsWith(label));
  expect(index, `a line starting with ${label}`).toBeGreaterThanOrEqual(0);
  return printed[index]!.trimStart().slice(label.length).trim();
}

describe('the hints serve prints', () => {
  it('the Inspector CLI lines for FinOpps (token, then the call with its bearer header) list its tools as printed', async () => {
    const index = printed.findIndex((l) => l.trimStart().startsWith('Inspector CLI'));
    const script = [hint('Inspector CLI'), printed[index + 1]!.trim()].join('\n');
    expect(script).toMatch(
      /^TOKEN=\$\(npx finmcp token --sandbox .*\)\nnpx @modelcontextprotocol\/inspector --cli http:\/\/localhost:\d+\/finopps\/mcp .*--header "Authorization: Bearer \$TOKEN"/,
    );
    const { stdout } = await run('bash', ['-c', `set -euo pipefail\n${script}`], {
      cwd: projectRoot(),
      env: cleanEnv(),
      timeout: 120_000,
    });
    const listed = JSON.parse(stdout) as { tools: Array<{ name: string }> };
    expect(listed.tools.map((t) => t.name)).toContain('list_invoices');
  }, 150_000);

  it('the token command for curl prints a token whose audience is the printed endpoint', async () => {
    const line = hint('a token for curl (finopps):');
    const { stdout } = await run('bash', ['-c', line], { cwd: projectRoot(), env: cleanEnv(), timeout: 60_000 });
    const payload = JSON.parse(Buffer.from(stdout.trim().split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(payload['aud']).toBe(hint('finopps'));
  }, 90_000);
});
