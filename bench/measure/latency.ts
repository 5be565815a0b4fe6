/**
 * Latency per tool call: one client, strictly sequential, a warm-up that is not recorded (JIT, connection
 * set-up, caches), then `calls` timed calls with performance.now() around each. Added latency is computed
 * later as the server's figure minus the floor's (same backend request without MCP).
 */
import { Tally, type TallyCounts } from '../check.js';
import { summarize, type Summary } from '../stats.js';
import { labelOf, type LoadTarget, type TargetLabel } from '../targets.js';

/** Latency of one target, in milliseconds. */
export interface LatencyResult extends TargetLabel {
  warmup: number;
  summary: Summary;
  outcomes: TallyCounts;
}

/** Measures sequential latency; the run stops early (and says so in `summary.n`) after `maxMs`. */
export async function measureLatency(
  target: LoadTarget,
  warmup: number,
  calls: number,
  maxMs: number,
): Promise<LatencyResult> {
  const opened = await target.open(1);
  const client = opened.clients[0];
  if (client === undefined) throw new Error('no client');
  const tally = new Tally();
  const samples: number[] = [];
  const deadline = performance.now() + maxMs;
  try {
    for (let i = 0; i < warmup && performance.now() < deadline; i += 1) await client.call();
    for (let i = 0; i < calls && performance.now() < deadline; i += 1) {
      const started = performance.now();
      const outcome = await client.call();
      samples.push(performance.now() - started);
      tally.add(outcome);
    }
    tally.addStrays(opened.strays());
  } finally {
    await opened.close();
  }
  return {
    ...labelOf(target),
    warmup,
    summary: summarize(samples),
    outcomes: tally.snapshot(),
  };
}
