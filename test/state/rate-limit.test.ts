/** Token bucket per caller: burst, refill rate, Retry-After seconds, independent keys, pruning. */
import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from '../../src/state/rate-limit.js';

type Step = { take: string; want: number } | { advance: number };

const cases: Array<{ name: string; options: { perMinute: number; burst: number }; given: Step[] }> = [
  {
    name: 'allows a burst, then refuses with the wait until the next token',
    options: { perMinute: 60, burst: 2 },
    given: [
      { take: 'a', want: 0 },
      { take: 'a', want: 0 },
      { take: 'a', want: 1 },
    ],
  },
  {
    name: 'refills at the sustained rate',
    options: { perMinute: 60, burst: 1 },
    given: [
      { take: 'a', want: 0 },
      { take: 'a', want: 1 },
      { advance: 1_000 },
      { take: 'a', want: 0 },
      { take: 'a', want: 1 },
    ],
  },
  {
    name: 'Retry-After rounds up to whole seconds',
    options: { perMinute: 6, burst: 1 },
    given: [{ take: 'a', want: 0 }, { advance: 2_500 }, { take: 'a', want: 8 }],
  },
  {
    name: 'callers have independent buckets',
    options: { perMinute: 60, burst: 1 },
    given: [
      { take: 'a', want: 0 },
      { take: 'a', want: 1 },
      { take: 'b', want: 0 },
    ],
  },
  {
    name: 'the bucket never holds more than the burst',
    options: { perMinute: 60, burst: 2 },
    given: [
      { take: 'a', want: 0 },
      { advance: 3_600_000 },
      { take: 'a', want: 0 },
      { take: 'a', want: 0 },
      { take: 'a', want: 1 },
    ],
  },
];

describe('TokenBucketLimiter', () => {
  it.each(cases)('$name', ({ options, given }) => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ ...options, now: () => now });
    try {
      for (const step of given) {
        if ('advance' in step) now += step.advance;
        else expect(limiter.take(step.take)).toBe(step.want);
      }
    } finally {
      limiter.close();
    }
  });

  it('prune forgets callers whose bucket has refilled, and only those', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 60, burst: 2, now: () => now });
    limiter.take('idle');
    now += 10_000;
    limiter.take('busy');
    limiter.prune();
    expect(limiter.size).toBe(1);
    limiter.close();
  });

  it('refuses a non-positive rate', () => {
    expect(() => new TokenBucketLimiter({ perMinute: 0 })).toThrow(RangeError);
  });
});

describe('default burst (issue 14: a burst of 60 failed 8 conformance scenarios)', () => {
  it('is the per-minute limit: that many at once, then the sustained rate', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perMinute: 100, now: () => now });
    try {
      for (let i = 0; i < 100; i++) expect(limiter.take('k')).toBe(0);
      expect(limiter.take('k')).toBeGreaterThan(0);
      now += 600; // one token per 600 ms at 100/min
      expect(limiter.take('k')).toBe(0);
      expect(limiter.take('k')).toBeGreaterThan(0);
    } finally {
      limiter.close();
    }
  });
});
