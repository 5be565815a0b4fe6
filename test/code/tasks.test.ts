/**
 * Code mode's task set (testkit/code-tasks.ts) against the shipped sandbox backends (Prism serving each spec; the
 * GitHub questions are github-tasks.test.ts'): every
 * question is answered by one `run_code` call whose result equals the answer made from per-tool calls, and the
 * program's api calls are the per-tool calls' count or fewer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCodeHarness, runTask, type CodeHarness, type HarnessCaller } from '../../testkit/code-harness.js';
import { CODE_TASKS } from '../../testkit/code-tasks.js';
import { createLogger } from '../../src/log.js';

const logger = createLogger({ level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
const harnesses = new Map<string, { harness: CodeHarness; caller: HarnessCaller }>();

beforeAll(async () => {
  const [finopps, b4b] = await Promise.all([startCodeHarness('finopps', logger), startCodeHarness('b4b', logger)]);
  harnesses.set('finopps', { harness: finopps, caller: finopps.caller('alice') });
  const b4bCaller = b4b.caller('anonymous');
  const login = await b4b.call(b4b.perTool, b4bCaller, 'login', {
    phone: '+84909495665',
    password: 'SecurePassword123@',
  });
  expect(login.isError).toBeUndefined();
  harnesses.set('b4b', { harness: b4b, caller: b4bCaller });
}, 300_000);

afterAll(async () => {
  for (const { harness } of harnesses.values()) await harness.close();
});

describe('code-mode task set', () => {
  it('has at least 20 questions, with unique ids', () => {
    expect(CODE_TASKS.length).toBeGreaterThanOrEqual(20);
    expect(new Set(CODE_TASKS.map((t) => t.id)).size).toBe(CODE_TASKS.length);
  });

  it.each(CODE_TASKS.filter((task) => task.backend !== 'github').map((task) => [task.id, task] as const))(
    '%s: one run_code gives the per-tool answer',
    async (_id, task) => {
      const { harness, caller } = harnesses.get(task.backend)!;
      let perToolCalls = 0;
      const call = harness.toolCaller(caller);
      const expected = await task.perTool((name, args) => {
        perToolCalls++;
        return call(name, args);
      });
      const { result, answer } = await runTask(harness, caller, task);
      expect(answer).toEqual(expected);
      const calls = (result.structuredContent as { calls: number }).calls;
      expect(calls).toBeGreaterThan(0);
      expect(calls).toBeLessThanOrEqual(perToolCalls);
    },
  );
});
