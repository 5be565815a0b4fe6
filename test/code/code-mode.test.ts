/**
 * Code mode's rules against the B4B sandbox backend (Prism): what `tools/list` shows, search_api's declarations,
 * type errors before running, the sandbox attacks of issue 24 (each contained with a clear error, and the next
 * run works), callers kept apart, `--read-only` narrowing `api`, the same validation messages as the tool, and
 * a program's write confirmed by the user exactly as `create_entity` asks — through the real dispatch core in MCP
 * 2026-07-28, where a retry replays the writes already made instead of making them again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolResult } from '../../src/core/tool-service-api.js';
import { toolSelection } from '../../src/core/tool-selection.js';
import { Dispatcher } from '../../src/protocol/dispatcher.js';
import type { InboundRequest } from '../../src/protocol/messages.js';
import { CLIENT_CAPABILITIES_META_KEY, PROTOCOL_VERSION_META_KEY } from '../../src/protocol/versions.js';
import { MemorySessionStore } from '../../src/state/session-store.js';
import { resultText, startCodeHarness, type CodeHarness, type HarnessCaller } from '../../testkit/code-harness.js';
import { captureLog } from '../helpers/log-capture.js';

const log = captureLog('info');
const PHONE = '+84909495665';
const PASSWORD = 'SecurePassword123@';
let harness: CodeHarness;
let alice: HarnessCaller;

beforeAll(async () => {
  // A smaller memory limit than the default 64 MiB keeps the memory bomb quick; more CPU time than the default 1 s
  // lets the large-result program finish on a loaded machine, and the bomb reach the memory limit first.
  harness = await startCodeHarness('b4b', log.logger, { FINMCP_CODE_MEMORY_MB: '8', FINMCP_CODE_CPU_MS: '5000' });
  alice = harness.caller('alice');
  const login = await harness.call(harness.perTool, alice, 'login', { phone: PHONE, password: PASSWORD });
  expect(login.isError).toBeUndefined();
}, 300_000);

afterAll(async () => {
  await harness?.close();
});

function run(code: string, caller: HarnessCaller = alice, language?: 'javascript'): Promise<ToolResult> {
  return harness.call(harness.code, caller, 'run_code', { code, ...(language === undefined ? {} : { language }) });
}

/** A plain program that must keep working after every attack. */
async function expectServerUnharmed(): Promise<void> {
  const result = await run('return (await api.list_entities({})).total;');
  expect(resultText(result)).not.toMatch(/failed|error/i);
  expect((result.structuredContent as { result: unknown }).result).toBe(3);
}

describe('code mode: what the model sees', () => {
  it('lists two tools, search_api and run_code', () => {
    expect(harness.code.listTools().map((t) => t.name)).toEqual(['search_api', 'run_code']);
  });

  it('search_api returns TypeScript declarations of the operations found', async () => {
    const result = await harness.call(harness.code, alice, 'search_api', { query: 'vendors' });
    const found = result.structuredContent as { operations: Array<{ name: string }>; declarations: string };
    expect(found.operations.map((o) => o.name)).toContain('list_vendors');
    expect(found.declarations).toContain('list_vendors(args: {');
    expect(found.declarations).toMatch(/entity_id: string;/);
    expect(found.declarations).toMatch(/Promise<\{/);
  });

  it('reports type errors with the line and column as written, before anything runs', async () => {
    const result = await run('const page = await api.list_entities({});\nreturn page.itemz.length;');
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/not run: it has type errors/);
    expect(resultText(result)).toMatch(/line 2, column 13: Property 'itemz' does not exist/);
    const unknown = await run('return await api.list_entityz({});');
    expect(resultText(unknown)).toMatch(/line 1, column 18: Property 'list_entityz' does not exist on type 'Api'/);
  });

  it("gives a program the tool's own validation messages", async () => {
    const direct = await harness.call(harness.perTool, alice, 'list_invoices', { entity_id: 'not-a-uuid' });
    const program = await run("return await api.list_invoices({ entity_id: 'not-a-uuid' });");
    expect(program.isError).toBe(true);
    expect(resultText(program)).toContain(`api.list_invoices: ${resultText(direct)}`);
  });

  it('returns console lines with the result, and cuts a result over the budget with a note', async () => {
    const result = await run(
      "console.log('two', 2, { a: 1 });\nreturn Array.from({ length: 12_000 }, (_, i) => ({ i, text: 'x'.repeat(20) }));",
    );
    expect(resultText(result)).not.toMatch(/failed/);
    const structured = result.structuredContent as { result: unknown[]; logs: string[] };
    expect(structured.logs).toEqual(['two 2 {"a":1}']);
    expect(structured.result.length).toBeLessThan(12_000);
    expect(Buffer.byteLength(resultText(result))).toBeLessThan(200_000 + 1_000);
    expect(resultText(result)).toMatch(/The result was cut to 200000 bytes: \d+ of 12000 items/);
  });
});

describe('code mode: sandbox attacks are contained, and the server is unharmed', () => {
  it.each([
    ['an infinite loop', 'for (;;) {}', /more than its 5000 ms of CPU time/],
    [
      'a memory bomb',
      'const hoard: object[] = []; for (;;) hoard.push(Array.from({ length: 50_000 }, (_, i) => ({ i, list: [i] })));',
      // Engine time is measured by the clock: on a loaded machine the CPU limit may stop the bomb first.
      /more memory than it may|more than its 5000 ms of CPU time/,
    ],
    [
      'typed arrays (their buffers escape the memory limit)',
      '// @ts-ignore\nreturn new Uint8Array(1 << 30).length;',
      /'Uint8Array' is not defined/,
    ],
    [
      'deep recursion',
      'function down(n: number): number { return down(n + 1) + 1; }\nreturn down(0);',
      /stack overflow.*recursion too deep/,
    ],
    ['a huge single value', "return 'x'.repeat(2_000_000);", /more than the 800000 it may return/],
    [
      'constructor.constructor',
      "return (({}) as any).constructor.constructor('return process')();",
      /'process' is not defined: the sandbox has no host access/,
    ],
    [
      'import()',
      "// @ts-ignore\nreturn await import('node:fs');",
      /could not load module 'node:fs': modules cannot be imported here/,
    ],
    [
      'fetch',
      "// @ts-ignore\nreturn await fetch('http://127.0.0.1:9/');",
      /'fetch' is not defined: the sandbox has no host access/,
    ],
    ['timers', '// @ts-ignore\nsetTimeout(() => 1, 0);', /'setTimeout' is not defined: the sandbox has no host access/],
    ['require', "// @ts-ignore\nreturn require('child_process');", /'require' is not defined/],
    [
      'a promise nothing settles',
      'await new Promise(() => undefined);',
      /waiting for a promise that nothing will settle/,
    ],
    ['too many API calls', 'for (let i = 0; i < 60; i++) await api.list_entities({});', /more than 50 API calls/],
  ])('%s', async (_name, code, message) => {
    const result = await run(code);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(message);
    await expectServerUnharmed();
  });

  it('stops at the type checker what the libraries do not declare (fetch, timers, process, import)', async () => {
    for (const code of [
      "return await fetch('http://127.0.0.1:9/');",
      'setTimeout(() => 1, 0);',
      'return process.env;',
      "return await import('node:fs');",
    ]) {
      const result = await run(code);
      expect(resultText(result), code).toMatch(/not run: it has type errors/);
    }
  });

  it('keeps prototype pollution inside the sandbox and out of the bridge', async () => {
    const result = await run(
      [
        "Object.defineProperty(Object.prototype, 'entity_id', { get: () => 'evil', enumerable: true, configurable: true });",
        "(Object.prototype as any).polluted = 'yes';",
        'JSON.stringify = () => \'{"entity_id":"evil"}\';',
        'const replaced = (() => { try { (api as any).list_entities = () => 1; return true; } catch { return false; } })();',
        'const smuggled = JSON.parse(\'{"__proto__": {"search": "x"}}\');',
        'const viaProto = await api.list_entities(smuggled).then(() => "accepted", (e: Error) => e.message);',
        'const page = await api.list_entities({});',
        'return { replaced, viaProto, total: page.total };',
      ].join('\n'),
    );
    expect(resultText(result)).not.toMatch(/failed/);
    const answer = (result.structuredContent as { result: Record<string, unknown> }).result;
    expect(answer['replaced']).toBe(false);
    expect(answer['viaProto']).toMatch(/must NOT have additional properties|__proto__/);
    expect(answer['total']).toBe(3);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['entity_id']).toBeUndefined();
    await expectServerUnharmed();
  });

  it("never lets one caller use another caller's sign-in", async () => {
    const bob = harness.caller('bob');
    const result = await run('return await api.whoami();', bob);
    expect(result.isError).toBe(true);
    expect(resultText(result)).toMatch(/api\.whoami: .*(log ?in|sign)/i);
    expect(resultText(result)).not.toContain('an.nguyen');
    await expectServerUnharmed();
  });

  it('offers no excluded tool under --read-only', async () => {
    const readOnly = await harness.codeWith(toolSelection({ readOnly: true })!);
    const search = await harness.call(readOnly, alice, 'search_api', { query: 'create entity' });
    const found = search.structuredContent as { operations: Array<{ name: string }>; declarations: string };
    expect(found.operations.map((o) => o.name)).not.toContain('create_entity');
    expect(found.declarations).not.toMatch(/^\s*create_entity\(/m);
    const typed = await harness.call(readOnly, alice, 'run_code', {
      code: "return await api.create_entity({ name: 'X', entity_type: 'COMPANY', tax_code: '0312345678', address: 'a', city: 'b', country: 'VN' });",
    });
    expect(resultText(typed)).toMatch(/Property 'create_entity' does not exist on type 'Api'/);
    const untyped = await harness.call(readOnly, alice, 'run_code', {
      code: "// @ts-ignore\nreturn await api.create_entity({ name: 'X' });",
    });
    expect(resultText(untyped)).toMatch(/not a function/);
    const still = await harness.call(readOnly, alice, 'run_code', {
      code: 'return (await api.list_entities({})).total;',
    });
    expect(resultText(still)).not.toMatch(/failed|not run/);
    expect((still.structuredContent as { result: unknown }).result).toBe(3);
  });
});

describe('code mode: a program that writes asks the user exactly as the tool does (2026-07-28)', () => {
  const store = new MemorySessionStore();
  const info = { name: 'finmcp-test', version: '1.0.0' };
  const caller = { principal: { id: 'writer', scopes: [], claims: {} } };
  const entity = (name: string): Record<string, unknown> => ({
    name,
    entity_type: 'COMPANY',
    tax_code: '0312345678',
    address: '12 Nguyễn Huệ',
    city: 'Hồ Chí Minh',
    country: 'VN',
  });
  let id = 0;

  function request(
    dispatcher: Dispatcher,
    name: string,
    args: Record<string, unknown>,
    retry: Record<string, unknown> = {},
  ): Promise<Record<string, any>> {
    const message = {
      kind: 'request',
      id: ++id,
      method: 'tools/call',
      params: {
        name,
        arguments: args,
        _meta: {
          [PROTOCOL_VERSION_META_KEY]: '2026-07-28',
          [CLIENT_CAPABILITIES_META_KEY]: { elicitation: { form: {} } },
        },
        ...retry,
      },
    } as unknown as InboundRequest;
    return Promise.resolve(dispatcher.request(message, dispatcher.classify(message), caller)).then(
      (reply) => JSON.parse(reply!.body).result,
    );
  }

  const creates = (): number =>
    log
      .lines()
      .filter(
        (l) =>
          l['msg'] === 'tool call' &&
          l['tool'] === 'create_entity' &&
          l['principal'] === 'writer' &&
          l['outcome'] === 'ok',
      ).length;
  const accept = { action: 'accept', content: { confirm: true } };

  it('asks the same question, and a retry creates nothing twice', async () => {
    const code = new Dispatcher({ service: harness.code, info, logger: log.logger, store });
    const tools = new Dispatcher({ service: harness.perTool, info, logger: log.logger, store });
    const signIn = await request(code, 'run_code', {
      code: `return (await api.login({ phone: '${PHONE}', password: '${PASSWORD}' })).email;`,
    });
    expect(signIn.structuredContent.result).toMatch(/@/);

    const direct = await request(tools, 'create_entity', entity('Alpha'));
    expect(direct.resultType).toBe('input_required');
    const asked = direct.inputRequests['confirm_create_entity'].params;

    const program = `const a = await api.create_entity(${JSON.stringify(entity('Alpha'))});
const b = await api.create_entity(${JSON.stringify(entity('Beta'))});
return [a.id, b.id];`;
    const first = await request(code, 'run_code', { code: program });
    expect(first.resultType).toBe('input_required');
    expect(Object.keys(first.inputRequests)).toEqual(['call1.confirm_create_entity']);
    expect(first.inputRequests['call1.confirm_create_entity'].params).toEqual(asked);
    expect(creates()).toBe(0);

    const second = await request(
      code,
      'run_code',
      { code: program },
      { inputResponses: { 'call1.confirm_create_entity': accept }, requestState: first.requestState },
    );
    expect(second.resultType).toBe('input_required');
    expect(Object.keys(second.inputRequests)).toEqual(['call2.confirm_create_entity']);
    expect(second.inputRequests['call2.confirm_create_entity'].params.message).toContain('"name": "Beta"');
    expect(creates()).toBe(1);

    const third = await request(
      code,
      'run_code',
      { code: program },
      { inputResponses: { 'call2.confirm_create_entity': accept }, requestState: second.requestState },
    );
    expect(third.resultType).toBe('complete');
    expect(third.isError).toBeUndefined();
    expect(third.structuredContent.result).toHaveLength(2);
    expect(creates(), 'Alpha was replayed, not created again').toBe(2);
    expect(log.lines().some((l) => l['msg'] === 'code api call replayed' && l['tool'] === 'create_entity')).toBe(true);

    // The same retry sent again: its nonce is already claimed (protocol/once.ts), so it gets the recorded answer.
    const again = await request(
      code,
      'run_code',
      { code: program },
      { inputResponses: { 'call1.confirm_create_entity': { action: 'decline' } }, requestState: first.requestState },
    );
    expect(Object.keys(again.inputRequests ?? {})).toEqual(['call2.confirm_create_entity']);
    expect(creates()).toBe(2);

    const other = `return (await api.create_entity(${JSON.stringify(entity('Gamma'))})).id;`;
    const asked3 = await request(code, 'run_code', { code: other });
    const declined = await request(
      code,
      'run_code',
      { code: other },
      { inputResponses: { 'call1.confirm_create_entity': { action: 'decline' } }, requestState: asked3.requestState },
    );
    expect(declined.isError).toBe(true);
    expect(JSON.stringify(declined.content)).toContain('Not written: the user declined');
    expect(creates()).toBe(2);
  });
});
