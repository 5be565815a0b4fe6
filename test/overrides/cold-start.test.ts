/**
 * Cold start of `finmcp serve b4b --transport stdio` (a benchmarked target): up to the answer of the first
 * `tools/list` the server loads only what that answer needs. The compiled CLI is spawned as users run it (`npm run
 * build` first), with a module log (test/helpers/module-log.ts), and driven by the SDK's stdio client; after the
 * list, a hand-written tool's call and an XML document that the guard refuses each load their own code. The backend
 * URL points at a closed port: none of these steps reaches the backend.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { projectRoot } from '../../src/paths.js';
import { ModuleLog } from '../helpers/module-log.js';

/** Modules the first `tools/list` does not need, by what they are. */
const WATCHED = {
  ajvCompiler: '/node_modules/ajv/dist/2020.js',
  saxes: '/node_modules/saxes/',
  jose: '/node_modules/jose/',
  b4bCallCode: '/dist/src/overrides/b4b/session.js',
  b4bHandlers: '/dist/src/overrides/b4b/login.js',
  xmlGuard: '/dist/src/overrides/b4b/xml-guard.js',
  auditTrail: '/dist/src/audit/audit-trail.js',
  undici: '/node_modules/undici/',
  pino: '/node_modules/pino/',
  mcpSdk: '/node_modules/@modelcontextprotocol/',
  promClient: '/node_modules/prom-client/',
  openTelemetry: '/node_modules/@opentelemetry/',
};

const NONE = Object.fromEntries(Object.keys(WATCHED).map((name) => [name, false])) as Record<
  keyof typeof WATCHED,
  boolean
>;

const log = new ModuleLog();
const client = new Client({ name: 'finmcp-cold-start', version: '1.0.0' });

beforeAll(async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      ...log.execArgv,
      join(projectRoot(), 'bin', 'finmcp.js'),
      'serve',
      'b4b',
      '--transport',
      'stdio',
      '--backend-url',
      'http://127.0.0.1:9/api/v1',
    ],
    env: {
      ...(process.env as Record<string, string>),
      ...log.env,
      FINMCP_LOG_LEVEL: 'warn',
      FINMCP_AUDIT: 'off',
      FINMCP_METRICS: '',
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      // The environment's sign-in: the XML check then needs no login before it parses.
      B4B_PHONE: '+84909495665',
      B4B_PASSWORD: 'SecurePassword123@',
    },
    stderr: 'ignore',
    cwd: projectRoot(),
  });
  await client.connect(transport);
}, 60_000);

afterAll(async () => {
  await client.close();
  log.remove();
});

describe('B4B cold start over stdio', () => {
  it('answers the first tools/list having loaded none of what the list does not need', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['login', 'logout', 'whoami']));
    expect(log.loaded(WATCHED)).toEqual(NONE);
  });

  it('loads the hand-written tools’ code and ajv on the first hand-written call; saxes waits for an XML document', async () => {
    const result = await client.callTool({ name: 'login', arguments: { password: 'SecurePassword123@' } });
    expect(result.content).toEqual([
      { type: 'text', text: 'Invalid arguments:\n- phone: is required when password is set' },
    ]);
    const whoami = await client.callTool({ name: 'whoami', arguments: {} });
    expect(whoami.isError).toBe(true);
    expect(log.loaded(WATCHED)).toEqual({
      ...NONE,
      ajvCompiler: true,
      jose: true,
      b4bCallCode: true,
      b4bHandlers: true,
      xmlGuard: true,
    });
  });

  it('loads saxes on the first XML document that reaches parsing', async () => {
    const result = await client.callTool({
      name: 'import_invoice_xml',
      arguments: { entity_id: '3fa85f64-5717-4562-b3fc-2c963f66afa6', xml_content: '<Invoice><ID>1</ID>' },
    });
    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: expect.stringMatching(/^xml_content: /) }]);
    expect(log.loaded(WATCHED)).toMatchObject({ saxes: true, mcpSdk: false, auditTrail: false });
  });
});
