/**
 * Cold start of the B4B backend: the tool service and its overrides load neither ajv's compiler (hand-written tools'
 * schemas are compiled on their first call) nor saxes (on the first XML document). Run in a fresh Node process
 * over dist/ (`npm run build` first) that records every module it resolves.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Records each resolved module URL through a module resolve hook (Node.js "Customization Hooks"). */
const HOOKS = `let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;

/** Serves B4B's tools/list, then a hand-written tool's call and an XML check, saying what was loaded after each. */
const CHILD = `
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const urls = [];
let marked;
port1.on('message', (url) => {
  urls.push(url);
  if (url.startsWith('data:') && url.includes('marker')) marked();
});
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOKS)}), { parentURL: import.meta.url, data: { port: port2 }, transferList: [port2] });
// The hook posts in resolution order: once a marker's URL is back, every earlier one is.
let markers = 0;
const loaded = async () => {
  const back = new Promise((resolve) => (marked = resolve));
  await import('data:text/javascript,//marker' + markers++);
  await back;
  const has = (part) => urls.some((u) => u.includes(part));
  return { ajvCompiler: has('/node_modules/ajv/dist/2020.js'), saxes: has('/node_modules/saxes/') };
};
const root = process.cwd();
const { backend } = await import(root + '/generated/b4b/index.gen.js');
const { createToolService } = await import(root + '/dist/src/core/tool-service.js');
const { createB4bOverrides } = await import(root + '/dist/src/overrides/b4b/overrides.js');
const { createBackendHttp } = await import(root + '/dist/src/backend/backend-http.js');
const { createLogger } = await import(root + '/dist/src/log.js');
const { checkXmlDocument } = await import(root + '/dist/src/overrides/b4b/xml-guard.js');
const http = createBackendHttp({ baseUrl: 'http://127.0.0.1:9', maxAttempts: 1 });
const service = createToolService({ generated: backend, overrides: createB4bOverrides() }, { http, logger: createLogger({ level: 'silent' }) });
const steps = { listed: { tools: service.listTools().length, ...(await loaded()) } };
const ctx = { backend: 'b4b', tool: 'login', requestId: 'r', principal: { id: 'anonymous', scopes: [], claims: {} } };
const refused = await service.callTool('login', { password: 'SecurePassword123@' }, ctx);
steps.handWrittenCall = { text: refused.content[0].text, ...(await loaded()) };
steps.xmlChecked = { ok: (await checkXmlDocument('<a/>', { field: 'xml_content' })).ok, ...(await loaded()) };
port1.close();
await http.close();
process.stdout.write(JSON.stringify(steps));
`;

describe('B4B cold start', () => {
  it('loads ajv on the first hand-written tool call and saxes on the first XML document, not at start-up', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], {
      cwd: process.cwd(),
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      listed: { tools: expect.any(Number), ajvCompiler: false, saxes: false },
      handWrittenCall: {
        text: 'Invalid arguments:\n- phone: is required when password is set',
        ajvCompiler: true,
        saxes: false,
      },
      xmlChecked: { ok: true, ajvCompiler: true, saxes: true },
    });
  });
});
