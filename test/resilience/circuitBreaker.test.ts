import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TopDeckError } from '../../src/errors/TopDeckError';
import { createCircuitBreaker, isDependencyFailure } from '../../src/resilience/circuitBreaker';

const down = (): TopDeckError =>
  new TopDeckError({ code: 'Http503', message: 'unavailable', transient: true, statusCode: 503 });
const notFound = (): TopDeckError =>
  new TopDeckError({ code: 'Http404', message: 'missing', transient: false, statusCode: 404 });
const ok = async (): Promise<string> => 'ok';
const fail = (error: unknown) => async (): Promise<never> => {
  throw error;
};

/** A call that stays in flight until released, so concurrent callers can pile up behind it. */
function deferred(): { promise: Promise<string>; resolve(v: string): void; reject(e: unknown): void } {
  let resolve!: (v: string) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<string>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('isDependencyFailure', () => {
  it.each<[string, unknown, boolean]>([
    ['503', down(), true],
    ['ECONNRESET', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), true],
    ['404 is an answer', notFound(), false],
    [
      '429 is throttling, the budget handles it',
      new TopDeckError({ code: 'Http429', message: 't', transient: true, statusCode: 429 }),
      false,
    ],
    ['our own CircuitOpen', new TopDeckError({ code: 'CircuitOpen', message: 'o', transient: true }), false],
    [
      'our own BudgetExhausted',
      new TopDeckError({ code: 'BudgetExhausted', message: 'b', transient: true }),
      false,
    ],
  ])('%s → %s', (_name, error, expected) => {
    expect(isDependencyFailure(error)).toBe(expected);
  });
});

describe('createCircuitBreaker (in-process store)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2025, 0, 1, 12, 0, 0) });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    [{ name: '' }, /"name"/],
    [{ name: 'arm:s', threshold: 0 }, /"threshold"/],
    [{ name: 'arm:s', recoveryMs: 0 }, /"recoveryMs"/],
  ])('rejects %o at construction', (options, message) => {
    expect(() => createCircuitBreaker(options)).toThrow(message);
  });

  it('opens after 5 consecutive transient failures and then fails fast naming the dependency and the retry time', async () => {
    const breaker = createCircuitBreaker({ name: 'arm:sub-1' });
    const onBreak = vi.fn();
    breaker.onBreak(onBreak);
    for (let i = 0; i < 4; i++) {
      await expect(breaker.execute(fail(down()))).rejects.toMatchObject({ code: 'Http503' });
      expect(breaker.state()).toBe('closed');
    }
    await expect(breaker.execute(fail(down()))).rejects.toMatchObject({ code: 'Http503' });
    expect(breaker.state()).toBe('open');
    expect(onBreak).toHaveBeenCalledTimes(1);
    expect(onBreak.mock.calls[0]?.[0]).toMatchObject({
      name: 'arm:sub-1',
      failures: 5,
      openedUntil: Date.now() + 60_000,
    });

    const fn = vi.fn(ok);
    const error = await breaker.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(error).toBeInstanceOf(TopDeckError);
    expect(error).toMatchObject({ code: 'CircuitOpen', transient: true, retryAfterMs: 60_000 });
    expect((error as Error).message).toContain('arm:sub-1');
    expect((error as Error).message).toContain('2025-01-01T12:01:00.000Z');
  });

  it.each<[string, () => unknown]>([
    ['a success', () => undefined],
    ['a 404 (the dependency answered)', () => notFound()],
  ])('%s resets the consecutive count', async (_name, outcome) => {
    const breaker = createCircuitBreaker({ name: 'devops:org', threshold: 3 });
    await breaker.execute(fail(down())).catch(() => undefined);
    await breaker.execute(fail(down())).catch(() => undefined);
    const err = outcome();
    await breaker.execute(err === undefined ? ok : fail(err)).catch(() => undefined);
    await breaker.execute(fail(down())).catch(() => undefined);
    await breaker.execute(fail(down())).catch(() => undefined);
    expect(breaker.state()).toBe('closed');
    await breaker.execute(fail(down())).catch(() => undefined);
    expect(breaker.state()).toBe('open');
  });

  it('does not count permanent errors or throttling as failures', async () => {
    const breaker = createCircuitBreaker({ name: 'arm:s', threshold: 2 });
    for (let i = 0; i < 5; i++) await breaker.execute(fail(notFound())).catch(() => undefined);
    for (let i = 0; i < 5; i++) {
      await breaker
        .execute(fail(new TopDeckError({ code: 'Http429', message: 't', transient: true, statusCode: 429 })))
        .catch(() => undefined);
    }
    expect(breaker.state()).toBe('closed');
  });

  it('re-throws errors from fn unchanged', async () => {
    const breaker = createCircuitBreaker({ name: 'arm:s' });
    const original = new Error('raw');
    await expect(breaker.execute(fail(original))).rejects.toBe(original);
  });

  async function openBreaker(threshold = 2, recoveryMs = 10_000) {
    const breaker = createCircuitBreaker({ name: 'arm:s', threshold, recoveryMs });
    for (let i = 0; i < threshold; i++) await breaker.execute(fail(down())).catch(() => undefined);
    expect(breaker.state()).toBe('open');
    return breaker;
  }

  it('stays open until recoveryMs has passed, to the millisecond', async () => {
    const breaker = await openBreaker();
    vi.advanceTimersByTime(9_999);
    await expect(breaker.execute(ok)).rejects.toMatchObject({ code: 'CircuitOpen', retryAfterMs: 1 });
    vi.advanceTimersByTime(1);
    expect(breaker.state()).toBe('halfOpen');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state()).toBe('closed');
  });

  it('half-open lets exactly ONE of several concurrent callers probe; probe success closes', async () => {
    const breaker = await openBreaker();
    const onHalfOpen = vi.fn();
    const onReset = vi.fn();
    breaker.onHalfOpen(onHalfOpen);
    breaker.onReset(onReset);
    vi.advanceTimersByTime(10_000);

    const probe = deferred();
    const fn = vi.fn(() => probe.promise);
    const calls = Array.from({ length: 5 }, () => breaker.execute(fn));
    const settled = Promise.allSettled(calls);
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledTimes(1);
    probe.resolve('probed');
    const outcomes = await settled;
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected).toHaveLength(4);
    for (const r of rejected) expect(r.reason).toMatchObject({ code: 'CircuitOpen', transient: true });
    expect(onHalfOpen).toHaveBeenCalledTimes(1);
    expect(onReset).toHaveBeenCalledTimes(1);
    expect(breaker.state()).toBe('closed');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });

  it('a failed probe re-opens the circuit for another recoveryMs', async () => {
    const breaker = await openBreaker(2, 10_000);
    const onBreak = vi.fn();
    breaker.onBreak(onBreak);
    vi.advanceTimersByTime(10_000);
    await expect(breaker.execute(fail(down()))).rejects.toMatchObject({ code: 'Http503' });
    expect(breaker.state()).toBe('open');
    expect(onBreak).toHaveBeenCalledWith(expect.objectContaining({ openedUntil: Date.now() + 10_000 }));
    vi.advanceTimersByTime(9_999);
    await expect(breaker.execute(ok)).rejects.toMatchObject({ code: 'CircuitOpen' });
    vi.advanceTimersByTime(1);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });

  it('a probe answered with a permanent error closes the circuit (the dependency is up)', async () => {
    const breaker = await openBreaker();
    vi.advanceTimersByTime(10_000);
    await expect(breaker.execute(fail(notFound()))).rejects.toMatchObject({ code: 'Http404' });
    expect(breaker.state()).toBe('closed');
  });

  it('lets another probe through once a probe lease expires (a probe that never returned)', async () => {
    const breaker = createCircuitBreaker({
      name: 'arm:s',
      threshold: 1,
      recoveryMs: 10_000,
      probeLeaseMs: 2_000,
    });
    await breaker.execute(fail(down())).catch(() => undefined);
    vi.advanceTimersByTime(10_000);
    const hung = breaker.execute(() => new Promise<string>(() => undefined));
    void hung;
    await vi.advanceTimersByTimeAsync(0);
    await expect(breaker.execute(ok)).rejects.toMatchObject({ code: 'CircuitOpen' });
    vi.advanceTimersByTime(2_000);
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });
});
