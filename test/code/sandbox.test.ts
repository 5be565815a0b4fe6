/**
 * The sandbox's worker threads (src/code/sandbox.ts): a program stuck inside one long built-in operation — which the
 * engine's interrupt handler, running between bytecode instructions, cannot stop — is ended once its CPU time is
 * spent, with a clear error, and the next run works; while one program computes, other callers' programs are run
 * and answered (no program holds up the server's event loop); console output and results are bounded; a program's
 * `api` calls cross to the server's thread.
 */
import { describe, expect, it } from 'vitest';
import { wrapProgram } from '../../src/code/compile.js';
import { runInSandbox } from '../../src/code/sandbox.js';
import type { SandboxLimits, SandboxOutcome } from '../../src/code/sandbox-protocol.js';

const limits: SandboxLimits = {
  cpuMs: 1000,
  wallMs: 60_000,
  memoryBytes: 64 * 1024 * 1024,
  stackBytes: 256 * 1024,
  maxCalls: 50,
  maxLogLines: 200,
  maxResultChars: 800_000,
};

const echo = async (name: string, argsJson: string): Promise<string> =>
  JSON.stringify({ name, args: JSON.parse(argsJson) });

function run(code: string, given: Partial<SandboxLimits> = {}): Promise<SandboxOutcome> {
  return runInSandbox(wrapProgram(code), ['ping'], echo, { ...limits, ...given });
}

/** Fails unless the run ended with an error matching `message`. */
function expectStopped(outcome: SandboxOutcome, message: RegExp): void {
  expect(outcome.ok, JSON.stringify(outcome)).toBe(false);
  expect((outcome as { error: string }).error).toMatch(message);
}

async function expectUnharmed(): Promise<void> {
  const outcome = await run('return (await api.ping({ n: 1 })).args.n + 1;');
  expect(outcome).toMatchObject({ ok: true, json: '2', calls: 1 });
}

const CPU = /more than its 1000 ms of CPU time and was stopped/;

describe('sandbox: long built-in operations are stopped within the limits', () => {
  it.each([
    // Each call of the built-in is long, and a loop of few iterations seldom reaches the interrupt check.
    [
      'a huge JSON.stringify',
      "const a = Array.from({ length: 200000 }, (_, i) => ({ i, s: 'abcdefghij' })); let n = 0; for (let k = 0; k < 500; k++) n += JSON.stringify(a).length; return n;",
      CPU,
    ],
    ['a regular expression with catastrophic backtracking', "return /^(a+)+$/.test('a'.repeat(60) + 'b');", CPU],
    [
      'a long join',
      "const a = Array(3e6).fill('abc'); let n = 0; for (let k = 0; k < 100; k++) n += a.join(',').length; return n;",
      CPU,
    ],
    ["'x'.repeat(1e8)", "return 'x'.repeat(1e8).length;", /more memory than it may|CPU time/],
  ])('%s', async (_name, code, message) => {
    expectStopped(await run(code), message);
    await expectUnharmed();
  });
});

describe('sandbox: huge output', () => {
  it('keeps 200 console lines of 2,000 characters at most, and says how many more there were', async () => {
    const outcome = await run(
      "const line = 'x'.repeat(5000);\nfor (let i = 0; i < 2000; i++) console.log(line);\nreturn 1;",
      {
        // The engine's time is measured by the clock: room for a loaded machine.
        cpuMs: 30_000,
      },
    );
    expect(outcome.ok, JSON.stringify(outcome).slice(0, 300)).toBe(true);
    expect(outcome.logs).toHaveLength(201);
    expect(outcome.logs[0]).toMatch(/^x{2000}… \[5000 characters\]$/);
    expect(outcome.logs.at(-1)).toBe('… 1800 more console lines not kept (limit 200)');
    await expectUnharmed();
  });

  it('refuses a result longer than it may return', async () => {
    expectStopped(await run("return 'x'.repeat(900000);"), /900002 characters of JSON, more than the 800000/);
    await expectUnharmed();
  });
});

describe('sandbox: one program holds up no other', () => {
  it("answers other callers' programs while one computes, and a cancelled run stops at once", async () => {
    const finished: string[] = [];
    const cancel = new AbortController();
    // A minute of CPU time: it computes until cancelled, whatever the machine's load.
    const stuck = runInSandbox(
      wrapProgram(
        'const a = Array.from({ length: 200000 }, (_, i) => ({ i })); let n = 0; for (let k = 0; k < 1e6; k++) n += JSON.stringify(a).length; return n;',
      ),
      [],
      echo,
      { ...limits, cpuMs: 60_000, wallMs: 120_000 },
      cancel.signal,
    ).then((outcome) => {
      finished.push('stuck');
      return outcome;
    });
    const others = await Promise.all(
      Array.from({ length: 3 }, (_, i) => run(`return (await api.ping({ i: ${i} })).args.i;`)),
    );
    expect(others.map((a) => a.ok && a.json)).toEqual(['0', '1', '2']);
    expect(finished).toEqual([]);
    cancel.abort();
    expectStopped(await stuck, /The run was cancelled/);
    await expectUnharmed();
  });

  it('runs api calls on the server thread, and ends a run whose call is still pending at its wall time', async () => {
    const outcome = await runInSandbox(
      wrapProgram('await api.ping({});'),
      ['ping'],
      () => new Promise<string>(() => undefined),
      { ...limits, wallMs: 300 },
    );
    expectStopped(outcome, /longer than its 300 ms of wall time/);
    expect(outcome.calls).toBe(1);
    await expectUnharmed();
  });
});
