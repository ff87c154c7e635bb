import { describe, expect, it } from 'vitest';
import { emptyBucketState, pauseBucket, reserveTokens, slowBucket } from '../../src/resilience/tokenBucket';

const params = { intervalMs: 100, capacity: 5 }; // 10 tokens/s, burst 5

function waits(count: number, now: number, state = emptyBucketState(), maxWaitMs = 1e9): number[] {
  return Array.from({ length: count }, () => reserveTokens(state, params, 1, maxWaitMs, now).waitMs);
}

describe('reserveTokens (GCRA)', () => {
  it('grants a full bucket at once, then one token per interval, in order', () => {
    expect(waits(8, 1000)).toEqual([0, 0, 0, 0, 0, 100, 200, 300]);
  });

  it('refills while idle, but never beyond capacity', () => {
    const state = emptyBucketState();
    waits(5, 1000, state);
    expect(waits(3, 1200, state)).toEqual([0, 0, 100]); // 2 tokens back after 200 ms
    expect(waits(7, 1_000_000, state)).toEqual([0, 0, 0, 0, 0, 100, 200]);
  });

  it('refuses without reserving when the slot is further than maxWaitMs', () => {
    const state = emptyBucketState();
    waits(5, 0, state);
    expect(reserveTokens(state, params, 1, 50, 0)).toEqual({ granted: false, waitMs: 100 });
    expect(reserveTokens(state, params, 1, 100, 0)).toEqual({ granted: true, waitMs: 100 });
  });

  it('charges cost tokens at once', () => {
    const state = emptyBucketState();
    expect(reserveTokens(state, params, 5, 1e9, 0).waitMs).toBe(0);
    expect(reserveTokens(state, params, 3, 1e9, 0).waitMs).toBe(300);
  });

  it('a pause holds everything until it ends, then releases at most one full bucket', () => {
    const state = emptyBucketState();
    pauseBucket(state, 5000);
    expect(waits(7, 1000, state)).toEqual([4000, 4000, 4000, 4000, 4000, 4100, 4200]);
  });

  it('a pause never shortens a longer one', () => {
    const state = emptyBucketState();
    pauseBucket(state, 5000);
    pauseBucket(state, 2000);
    expect(state.pausedUntil).toBe(5000);
  });

  it('a slowdown stretches the refill interval while it lasts', () => {
    const state = emptyBucketState();
    slowBucket(state, 4, 10_000);
    expect(waits(7, 0, state)).toEqual([0, 0, 0, 0, 0, 400, 800]);
    const later = emptyBucketState();
    slowBucket(later, 4, 10_000);
    expect(waits(7, 10_000, later)).toEqual([0, 0, 0, 0, 0, 100, 200]);
  });

  it('never grants more than capacity + W / interval in any window of W ms (arbitrary arrivals)', () => {
    let seed = 42;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const state = emptyBucketState();
    const grants: number[] = [];
    let now = 0;
    for (let i = 0; i < 3000; i++) {
      now += Math.floor(random() * 60); // bursts and lulls
      const r = reserveTokens(state, params, 1, 2000, now);
      if (r.granted) grants.push(now + r.waitMs);
    }
    grants.sort((a, b) => a - b);
    const W = 1000;
    let j = 0;
    for (let i = 0; i < grants.length; i++) {
      while ((grants[j] ?? Infinity) < (grants[i] ?? 0) - W) j++;
      // closed window [grants[i] - W, grants[i]]
      expect(i - j + 1).toBeLessThanOrEqual(params.capacity + W / params.intervalMs);
    }
  });
});
