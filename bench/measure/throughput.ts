/**
 * Throughput: N clients in a closed loop (each sends its next call as soon as the previous one is answered)
 * for a fixed duration; calls per second counts correct answers only. Server CPU per call comes from the
 * server process's utime+stime (/proc/<pid>/stat) read before and after the window. Clients are opened (and
 * B4B sessions logged in) before the window starts, so set-up is not counted.
 */
import { Tally, type TallyCounts } from '../check.js';
import { readCpuMs } from '../proc.js';
import { labelOf, type LoadTarget, type TargetLabel } from '../targets.js';

/** One load point. */
export interface ThroughputResult extends TargetLabel {
  concurrency: number;
  round: number;
  /** Measured window, ms (from the first call to the last answer). */
  durationMs: number;
  /** Correct answers per second. */
  callsPerSec: number;
  /** Server CPU time per answered call, ms (null for the floor, which has no server). */
  cpuMsPerCall: number | null;
  /** CPU the load generator (this process) spent per answered call, ms: it shares the cores with the server. */
  clientCpuMsPerCall: number | null;
  /** CPU the stub backend spent per answered call, ms. */
  stubCpuMsPerCall: number | null;
  outcomes: TallyCounts;
}

/** Runs one load point. */
export async function measureThroughput(
  target: LoadTarget,
  concurrency: number,
  durationMs: number,
  round: number,
  stubPid?: number,
): Promise<ThroughputResult> {
  const opened = await target.open(concurrency);
  const tally = new Tally();
  let answered = 0;
  const cpuBefore = target.pid === undefined ? null : readCpuMs(target.pid);
  const stubBefore = stubPid === undefined ? null : readCpuMs(stubPid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  let elapsed: number;
  let cpuAfter: number | null;
  let stubAfter: number | null;
  let clientCpuMs: number;
  try {
    await Promise.all(
      opened.clients.map(async (client) => {
        while (performance.now() < deadline) {
          const outcome = await client.call();
          tally.add(outcome);
          if (outcome.kind !== 'timeout' && outcome.kind !== 'transport-error') answered += 1;
        }
      }),
    );
  } finally {
    elapsed = performance.now() - started;
    cpuAfter = target.pid === undefined ? null : readCpuMs(target.pid);
    stubAfter = stubPid === undefined ? null : readCpuMs(stubPid);
    const client = process.cpuUsage(clientBefore);
    clientCpuMs = (client.user + client.system) / 1000;
    tally.addStrays(opened.strays());
    await opened.close();
  }
  const counts = tally.snapshot();
  return {
    ...labelOf(target),
    concurrency,
    round,
    durationMs: elapsed,
    callsPerSec: (counts.ok * 1000) / elapsed,
    cpuMsPerCall: cpuBefore === null || cpuAfter === null || answered === 0 ? null : (cpuAfter - cpuBefore) / answered,
    clientCpuMsPerCall: answered === 0 ? null : clientCpuMs / answered,
    stubCpuMsPerCall:
      stubBefore === null || stubAfter === null || answered === 0 ? null : (stubAfter - stubBefore) / answered,
    outcomes: counts,
  };
}
