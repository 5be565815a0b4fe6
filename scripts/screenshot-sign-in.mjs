#!/usr/bin/env node
/**
 * Screenshot of the B4B sign-in page of URL-mode elicitation in headless Chromium (issue 16), kept as
 * docs/images/b4b-sign-in.png. Not part of `npm test` (it needs Debian's `chromium`: apt-get install -y chromium).
 * Starts finmcp over HTTP (built dist/), asks for a sign-in as a 2025-11-25 client with URL mode would
 * (URLElicitationRequiredError names the page), and lets Chromium render that page. The page needs no backend
 * until the form is submitted, so none is started.
 *
 * Usage: npm run screenshot:sign-in [-- <output.png>]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { startServers } from '../dist/src/cli/serve.js';
import { Settings } from '../dist/src/config.js';
import { createLogger } from '../dist/src/log.js';

const output = resolve(process.argv[2] ?? 'docs/images/b4b-sign-in.png');
const chromium = process.env.CHROMIUM ?? 'chromium';
const logger = createLogger({ level: 'warn', destination: new Writable({ write: (_c, _e, done) => done() }) });
const running = await startServers(
  ['b4b'],
  { transport: 'http', port: '0' },
  new Settings({
    B4B_BACKEND_URL: 'https://api.b4b.example',
    FINMCP_API_KEYS: 'claude-desktop:screenshot-key-0123456789',
  }),
  logger,
);
const profile = mkdtempSync(join(tmpdir(), 'finmcp-chromium-'));
try {
  const client = new Client({ name: 'screenshot', version: '0' }, { capabilities: { elicitation: { url: {} } } });
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept' }));
  await client.connect(
    new StreamableHTTPClientTransport(new URL(running.endpoints.b4b.replace('127.0.0.1', 'localhost')), {
      requestInit: { headers: { authorization: 'Bearer screenshot-key-0123456789' } },
    }),
  );
  const url = await client.callTool({ name: 'login', arguments: { phone: '+84909495665' } }).then(
    () => {
      throw new Error('login did not ask for the sign-in page');
    },
    (error) => error?.data?.elicitations?.[0]?.url,
  );
  if (typeof url !== 'string') throw new Error('no sign-in URL in the answer');
  await promisify(execFile)(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      `--user-data-dir=${profile}`,
      `--screenshot=${output}`,
      '--window-size=900,760',
      url,
    ],
    { timeout: 60_000 },
  );
  await client.close();
  console.log(`wrote ${output}`);
} finally {
  await running.close();
  rmSync(profile, { recursive: true, force: true });
}
