import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TopDeckError } from '../../src/errors/TopDeckError';
import { createRetryPolicy, type RetryEvent } from '../../src/resilience/retry';

const transient = (retryAfterMs?: number): TopDeckError =>
  new TopDeckError({
    code: 'Http503',
    message: 'unavailable',
    transient: true,
    statusCode: 503,
    retryAfterMs,
  });

/** A function that fails with the given errors in turn, then succeeds; records when it was called. */
function scripted(errors: unknown[]): { fn: () => Promise<string>; calls: number[] } {
  const calls: number[] = [];
  let i = 0;
  return {
    calls,
    fn: async () => {
      calls.push(Date.now());
      if (i < errors.length) throw errors[i++];
      return 'ok';
    },
  };
}

describe('createRetryPolicy', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects attempts=%s at construction', (attempts) => {
    expect(() => createRetryPolicy({ attempts })).toThrow(/"attempts" must be an integer >= 1/);
  });

  it.each([
    [{ initialDelayMs: -1 }, /initialDelayMs/],
    [{ maxDelayMs: Number.POSITIVE_INFINITY }, /maxDelayMs/],
    [{ base: 0.5 }, /base/],
  ])('rejects %o at construction', (options, message) => {
    expect(() => createRetryPolicy(options)).toThrow(message);
  });

  it('waits exactly the backoff between attempts (jitter pinned) and returns the success', async () => {
    const policy = createRetryPolicy({
      attempts: 3,
      initialDelayMs: 1000,
      jitter: 'full',
      random: () => 0.5,
    });
    const events: RetryEvent[] = [];
    policy.onRetry((e) => events.push(e));
    const { fn, calls } = scripted([transient(), transient()]);
    const result = policy.execute(fn);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([0]);
    await vi.advanceTimersByTimeAsync(499);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([0, 500]); // 0.5 * 1000
    await vi.advanceTimersByTimeAsync(1000); // 0.5 * 2000
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([0, 500, 1500]);
    expect(events.map((e) => [e.attempt, e.delayMs, e.fromRetryAfter])).toEqual([
      [1, 500, false],
      [2, 1000, false],
    ]);
  });

  it.each<[string, number, number]>([
    ['equal jitter, random 0', 0, 500],
    ['equal jitter, random 0.999', 0.999, 999],
  ])('default jitter (%s) stays within [ceiling/2, ceiling]', async (_name, r, expected) => {
    const policy = createRetryPolicy({ attempts: 2, random: () => r });
    const { fn, calls } = scripted([transient()]);
    const result = policy.execute(fn);
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(calls[1]).toBe(expected);
  });

  it.each<[string, number, number]>([
    ['Retry-After 7 s honoured over backoff', 7000, 7000],
    ['Retry-After 0 means at once', 0, 0],
    ['Retry-After above maxDelayMs is capped', 120_000, 60_000],
  ])('%s', async (_name, retryAfterMs, expected) => {
    const policy = createRetryPolicy({ attempts: 2, jitter: false });
    const events: RetryEvent[] = [];
    policy.onRetry((e) => events.push(e));
    const { fn, calls } = scripted([transient(retryAfterMs)]);
    const result = policy.execute(fn);
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(calls[1]).toBe(expected);
    expect(events[0]).toMatchObject({ delayMs: expected, fromRetryAfter: true });
  });

  it('honours an HTTP-date Retry-After carried by an SDK-style error', async () => {
    const policy = createRetryPolicy({ attempts: 2, jitter: false });
    const headers = new Headers({ 'retry-after': new Date(4000).toUTCString() });
    const error = Object.assign(new Error('throttled'), {
      statusCode: 429,
      response: { status: 429, headers },
    });
    const { fn, calls } = scripted([error]);
    const result = policy.execute(fn);
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([0, 4000]);
  });

  it('falls back to backoff when Retry-After is malformed', async () => {
    const policy = createRetryPolicy({ attempts: 2, jitter: false, initialDelayMs: 1000 });
    const error = Object.assign(new Error('throttled'), {
      statusCode: 429,
      response: { status: 429, headers: { 'retry-after': 'in a bit' } },
    });
    const { fn, calls } = scripted([error]);
    const result = policy.execute(fn);
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([0, 1000]);
  });

  it('does not retry a permanent error, and re-throws it as a TopDeckError with attempts', async () => {
    const policy = createRetryPolicy({ attempts: 3 });
    const gaveUp = vi.fn();
    policy.onGiveUp(gaveUp);
    const notFound = Object.assign(new Error('missing'), { statusCode: 404 });
    const { fn, calls } = scripted([notFound]);
    const result = policy.execute(fn);
    result.catch(() => undefined);
    await vi.runAllTimersAsync();
    await expect(result).rejects.toMatchObject({
      name: 'TopDeckError',
      code: 'Http404',
      transient: false,
      attempts: 1,
    });
    expect(calls).toHaveLength(1);
    expect(gaveUp).toHaveBeenCalledWith(expect.objectContaining({ attempts: 1, reason: 'notRetryable' }));
    await result.catch((e: TopDeckError) => expect(e.cause).toBe(notFound));
  });

  it('re-throws the LAST error after the last attempt, with attempts set', async () => {
    const policy = createRetryPolicy({ attempts: 3, jitter: false });
    const last = new TopDeckError({ code: 'ECONNRESET', message: 'reset, third time', transient: true });
    const { fn, calls } = scripted([transient(), transient(), last, transient()]);
    const result = policy.execute(fn);
    result.catch(() => undefined);
    await vi.runAllTimersAsync();
    await expect(result).rejects.toMatchObject({
      code: 'ECONNRESET',
      message: 'reset, third time',
      attempts: 3,
    });
    expect(calls).toEqual([0, 1000, 3000]);
  });

  it('attempts=1 runs once and never waits', async () => {
    const policy = createRetryPolicy({ attempts: 1 });
    const { fn, calls } = scripted([transient()]);
    await expect(policy.execute(fn)).rejects.toMatchObject({ attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it('uses a custom isRetryable', async () => {
    const policy = createRetryPolicy({
      attempts: 3,
      jitter: false,
      isRetryable: (e) => (e as Error).message === 'again',
    });
    const { fn, calls } = scripted([new Error('again'), new Error('stop')]);
    const result = policy.execute(fn);
    result.catch(() => undefined);
    await vi.runAllTimersAsync();
    await expect(result).rejects.toMatchObject({ message: 'stop', attempts: 2 });
    expect(calls).toHaveLength(2);
  });

  it('stops waiting as soon as the signal aborts', async () => {
    const policy = createRetryPolicy({ attempts: 3, jitter: false, initialDelayMs: 10_000 });
    const controller = new AbortController();
    const { fn, calls } = scripted([transient(), transient()]);
    const result = policy.execute(fn, controller.signal);
    result.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(100);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    await expect(result).rejects.toMatchObject({ code: 'Http503', attempts: 1 });
    expect(calls).toHaveLength(1);
  });

  it('passes attempt numbers and the signal to fn', async () => {
    const policy = createRetryPolicy({ attempts: 2, jitter: false });
    const seen: number[] = [];
    const result = policy.execute(async ({ attempt, signal }) => {
      expect(signal).toBeDefined();
      seen.push(attempt);
      if (attempt === 1) throw transient();
      return attempt;
    });
    await vi.runAllTimersAsync();
    await expect(result).resolves.toBe(2);
    expect(seen).toEqual([1, 2]);
  });
});
