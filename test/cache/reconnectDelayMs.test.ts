import { describe, expect, it } from 'vitest';
import { MAX_RECONNECT_DELAY_MS, reconnectDelayMs } from '../../src/cache/reconnectDelayMs';

describe('reconnectDelayMs', () => {
  it.each([
    [1, 50],
    [2, 100],
    [3, 200],
    [5, 800],
    [6, 1000],
    [1_000, 1000],
    [1_000_000, 1000],
  ])('attempt %i waits %i ms (without jitter), and never gives up', (attempt, expected) => {
    expect(reconnectDelayMs(attempt, () => 0.5)).toBe(expected);
  });

  it('jitters by at most 10% and never past the cap', () => {
    for (const r of [0, 0.999]) {
      for (let attempt = 1; attempt < 50; attempt++) {
        const delay = reconnectDelayMs(attempt, () => r);
        expect(typeof delay).toBe('number');
        expect(delay).toBeGreaterThan(0);
        expect(delay).toBeLessThanOrEqual(MAX_RECONNECT_DELAY_MS);
      }
    }
    expect(reconnectDelayMs(1, () => 0)).toBe(45);
  });
});
