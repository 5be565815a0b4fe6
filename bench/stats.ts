/**
 * Summary statistics for latency samples and figures: median, p99 and friends, plus the ratios the report
 * prints. Percentiles use the nearest-rank method on a sorted copy, so p99 of 2,000 samples is the 1,980th.
 */

/** Median, p99 and the extremes of one sample set, in the samples' unit. */
export interface Summary {
  n: number;
  median: number;
  /** Absent in results written before it was recorded. */
  p90?: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile (0 < p ≤ 100) of already sorted values; NaN for an empty set. */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

/** Summarises samples (the input is not modified). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  let total = 0;
  for (const value of sorted) total += value;
  return {
    n: sorted.length,
    median: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p99: percentileSorted(sorted, 99),
    mean: sorted.length === 0 ? Number.NaN : total / sorted.length,
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Median of a few values (e.g. cold-start times); NaN when empty. */
export function median(values: readonly number[]): number {
  return percentileSorted(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** `a / b`, or null when either side is missing or b is not positive (a ratio to nothing means nothing). */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (!Number.isFinite(a) || !Number.isFinite(b) || b <= 0) return null;
  return a / b;
}
