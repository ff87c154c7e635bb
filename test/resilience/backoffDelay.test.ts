import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffOptions } from '../../src/resilience/backoffDelay';

const base: Omit<BackoffOptions, 'random' | 'jitter'> = { initialDelayMs: 1000, maxDelayMs: 60_000, base: 2 };

describe('backoffDelay', () => {
  it.each([
    // failed attempt, no-jitter ceiling
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32_000],
    [7, 60_000], // 64 000 capped
    [100, 60_000], // overflow stays capped
  ])('without jitter, after attempt %i waits exactly %i ms', (attempt, expected) => {
    expect(backoffDelay(attempt, { ...base, jitter: false, random: () => 0.5 })).toBe(expected);
  });

  it.each<[BackoffOptions['jitter'], number, number, number]>([
    // jitter, random, failed attempt, expected
    ['full', 0, 3, 0],
    ['full', 0.5, 3, 2000],
    ['full', 0.999999, 3, 3999],
    ['equal', 0, 3, 2000],
    ['equal', 0.5, 3, 3000],
    ['equal', 0.999999, 3, 3999],
    [true, 0, 3, 2000], // true = equal jitter
    ['full', 1, 20, 60_000], // random() of exactly 1 still never exceeds the cap
    ['equal', 1, 20, 60_000],
    ['equal', 7, 20, 60_000], // a broken random source is clamped
    ['full', -1, 3, 0],
  ])('jitter %s with random %f after attempt %i waits %i ms', (jitter, r, attempt, expected) => {
    expect(backoffDelay(attempt, { ...base, jitter, random: () => r })).toBe(expected);
  });

  it('never exceeds maxDelayMs whatever the jitter draws', () => {
    for (let attempt = 1; attempt <= 30; attempt++) {
      for (const r of [0, 0.25, 0.5, 0.75, 0.9999, 1]) {
        for (const jitter of ['full', 'equal', false] as const) {
          const d = backoffDelay(attempt, {
            initialDelayMs: 1000,
            maxDelayMs: 5000,
            base: 3,
            jitter,
            random: () => r,
          });
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(5000);
        }
      }
    }
  });
});
