import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRateBudget } from '../../src/resilience/rateBudget';

describe('createRateBudget (in-process)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    [{}, /set "capacity" and "refillPerSecond", or "points" and "durationMs"/],
    [{ refillPerSecond: 0, capacity: 1 }, /refillPerSecond/],
    [{ refillPerSecond: 1, capacity: 0 }, /capacity/],
    [{ points: 10, durationMs: 0 }, /durationMs/],
    [{ points: 10, durationMs: 1000, capacity: 10 }, /below "points"/],
    [{ refillPerSecond: 1, fallbackShare: 0 }, /fallbackShare/],
    [{ refillPerSecond: 1, fallbackShare: 1.5 }, /fallbackShare/],
    [{ refillPerSecond: 1, maxWaitMs: -1 }, /maxWaitMs/],
  ])('rejects %o at construction', (options, message) => {
    expect(() => createRateBudget({ service: 'devops', scope: 'org', ...options })).toThrow(message);
  });

  it('maps points/durationMs to a bucket that never exceeds points in any sliding window', async () => {
    const budget = createRateBudget({
      service: 'devops',
      scope: 'org',
      points: 200,
      durationMs: 60_000,
      maxWaitMs: 1e9,
    });
    expect(budget.stats()).toMatchObject({ capacity: 20, refillPerSecond: 3 });
    const granted: number[] = [];
    const takes = Array.from({ length: 600 }, () => budget.take().then(() => granted.push(Date.now())));
    await vi.advanceTimersByTimeAsync(200_000);
    await Promise.all(takes);
    let j = 0;
    for (let i = 0; i < granted.length; i++) {
      while ((granted[j] ?? Infinity) <= (granted[i] ?? 0) - 60_000) j++;
      expect(i - j + 1).toBeLessThanOrEqual(200); // window (t-60 s, t]
    }
  });

  it('serves waiting callers in FIFO order', async () => {
    const budget = createRateBudget({ service: 'arm', scope: 's', capacity: 1, refillPerSecond: 10 });
    const order: number[] = [];
    const takes = Array.from({ length: 6 }, (_, i) => budget.take().then(() => order.push(i)));
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all(takes);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('waits exactly until its slot', async () => {
    const budget = createRateBudget({ service: 'arm', scope: 's', capacity: 2, refillPerSecond: 10 });
    await budget.take();
    await budget.take();
    let done = false;
    void budget.take().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(budget.stats()).toMatchObject({ granted: 3, waited: 1, waitedMs: 100, mode: 'memory' });
  });

  it('past maxWaitMs throws a transient BudgetExhausted without reserving', async () => {
    const budget = createRateBudget({
      service: 'devops',
      scope: 'org',
      capacity: 1,
      refillPerSecond: 1,
      maxWaitMs: 500,
    });
    const onExhausted = vi.fn();
    budget.onExhausted(onExhausted);
    await budget.take();
    await expect(budget.take()).rejects.toMatchObject({
      name: 'TopDeckError',
      code: 'BudgetExhausted',
      transient: true,
      retryAfterMs: 1000,
    });
    expect(onExhausted).toHaveBeenCalledTimes(1);
    expect(budget.stats().rejected).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    await expect(budget.take()).resolves.toBeUndefined();
  });

  it('pause(ms) holds every take until the pause ends', async () => {
    const budget = createRateBudget({ service: 'arm', scope: 's', capacity: 10, refillPerSecond: 10 });
    await budget.pause(3000);
    const granted: number[] = [];
    const takes = Array.from({ length: 3 }, () =>
      budget.take().then(() => granted.push(Date.now() - 1_000_000)),
    );
    await vi.advanceTimersByTimeAsync(2999);
    expect(granted).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await Promise.all(takes);
    expect(granted).toEqual([3000, 3000, 3000]);
    expect(budget.stats().pauses).toBe(1);
  });

  it.each([
    [1000, 1], // plenty left: no slowdown
    [10, 1], // at the low-water mark: none yet
    [5, 2],
    [1, 8], // capped at maxSlowdown
    [0, 8],
  ])('observeRemaining(%i) slows refill by %i×', async (remaining, factor) => {
    const budget = createRateBudget({
      service: 'arm',
      scope: 's',
      capacity: 1,
      refillPerSecond: 10,
      lowWaterMark: 10,
    });
    budget.observeRemaining(remaining);
    expect(budget.stats().slowFactor).toBe(factor);
    await budget.take();
    let done = false;
    void budget.take().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(100 * factor - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  it('a slowdown lapses after slowdownMs, or as soon as the server reports enough again', () => {
    const budget = createRateBudget({
      service: 'arm',
      scope: 's',
      capacity: 100,
      refillPerSecond: 10,
      slowdownMs: 5000,
    });
    budget.observeRemaining(1);
    expect(budget.stats().slowFactor).toBeGreaterThan(1);
    vi.advanceTimersByTime(5000);
    expect(budget.stats().slowFactor).toBe(1);
    budget.observeRemaining(1);
    budget.observeRemaining(500);
    expect(budget.stats().slowFactor).toBe(1);
    budget.observeRemaining(Number.NaN);
    expect(budget.stats().slowFactor).toBe(1);
  });

  it('the in-process bucket is sized to fallbackShare', async () => {
    const budget = createRateBudget({
      service: 'arm',
      scope: 's',
      capacity: 8,
      refillPerSecond: 8,
      fallbackShare: 0.25,
      maxWaitMs: 0,
    });
    await budget.take();
    await budget.take();
    await expect(budget.take()).rejects.toMatchObject({ code: 'BudgetExhausted', retryAfterMs: 500 }); // 2/s
  });

  it('an abort while waiting rejects the take', async () => {
    const budget = createRateBudget({ service: 'arm', scope: 's', capacity: 1, refillPerSecond: 1 });
    await budget.take();
    const controller = new AbortController();
    const take = budget.take(1, controller.signal);
    take.catch(() => undefined);
    controller.abort(new Error('cancelled'));
    await expect(take).rejects.toThrow('cancelled');
  });
});
