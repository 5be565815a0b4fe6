/**
 * The CPU profile summary of the benchmark (bench/measure/profile.ts): self time per function from a V8
 * `.cpuprofile`, only inside the measured window, idle time left out, shares of busy time.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profiledLaunch, summariseProfile } from '../../bench/measure/profile.js';

const frame = (functionName: string, url = '', lineNumber = -1) => ({ functionName, url, lineNumber });

describe('CPU profile summary', () => {
  it('sums self time per function inside the window, idle left out, and removes the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'finmcp-profile-test-'));
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)') },
        { id: 2, callFrame: frame('(idle)') },
        { id: 3, callFrame: frame('toResponse', 'file:///x/dist/src/backend/backend-http.js', 298) },
        { id: 4, callFrame: frame('(garbage collector)') },
        // The same function reached from another call site: one entry.
        { id: 5, callFrame: frame('toResponse', 'file:///x/dist/src/backend/backend-http.js', 298) },
      ],
      startTime: 1_000,
      // Samples at 1100 (before the window), 1200, 1300, 1400, 1500, 1600 (after it).
      samples: [3, 3, 2, 4, 5, 3],
      timeDeltas: [100, 100, 100, 100, 100, 100],
    };
    await writeFile(join(dir, 'CPU.1.cpuprofile'), JSON.stringify(profile));
    const summary = await summariseProfile(dir, 3, 16, { fromUs: 1_150, toUs: 1_550 });
    expect(summary.busyMs).toBeCloseTo(0.3);
    expect(summary.busyMsPerCall).toBeCloseTo(0.1);
    expect(summary.top[0]).toMatchObject({ name: 'toResponse', where: 'backend-http.js:299' });
    expect(summary.top[0]?.share).toBeCloseTo(2 / 3);
    expect(summary.top[1]).toMatchObject({ name: '(garbage collector)', where: '' });
    expect(summary.top.some((e) => e.name === '(idle)')).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('says so when the server wrote no profile', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'finmcp-profile-test-'));
    await expect(summariseProfile(dir, 0, 16, { fromUs: 0, toUs: 1 })).rejects.toThrow(/no \.cpuprofile/);
  });

  it('puts the profiler flags before the script', () => {
    const launch = profiledLaunch({ command: 'node', args: ['--max-semi-space-size=2', 'bin/finmcp.js'] }, '/tmp/p');
    expect(launch.args).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/p', '--max-semi-space-size=2', 'bin/finmcp.js']);
  });
});
