import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createGuardedRedis } from '../../src/resilience/guardedRedis';

/** Only the status matters to the guard; operations are the test's own functions. */
const fakeRedis = (status: string): Redis => ({ status }) as unknown as Redis;

describe('createGuardedRedis', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('passes results through while Redis answers', async () => {
    const guard = createGuardedRedis(fakeRedis('ready'));
    await expect(guard.run(async () => 42)).resolves.toEqual({ ok: true, value: 42 });
  });

  it('gives up on a hung Redis after timeoutMs, then skips it for cooldownMs', async () => {
    const redis = fakeRedis('ready');
    const guard = createGuardedRedis(redis, { timeoutMs: 50, cooldownMs: 1000 });
    const down = vi.fn();
    guard.onUnavailable(down);
    const hung = guard.run(() => new Promise(() => undefined));
    await vi.advanceTimersByTimeAsync(49);
    let settled = false;
    void hung.then(() => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(hung).resolves.toMatchObject({ ok: false });
    expect(down).toHaveBeenCalledTimes(1);

    const op = vi.fn(async () => 1);
    await expect(guard.run(op)).resolves.toMatchObject({ ok: false });
    expect(op).not.toHaveBeenCalled();
    expect(guard.available()).toBe(false);
    vi.advanceTimersByTime(1000);
    await expect(guard.run(op)).resolves.toEqual({ ok: true, value: 1 });
  });

  it.each(['reconnecting', 'close', 'end'])(
    'does not send anything while the client is %s',
    async (status) => {
      const guard = createGuardedRedis(fakeRedis(status));
      const op = vi.fn(async () => 1);
      await expect(guard.run(op)).resolves.toMatchObject({ ok: false });
      expect(op).not.toHaveBeenCalled();
    },
  );

  it('an erroring operation falls back and reports once per outage', async () => {
    const guard = createGuardedRedis(fakeRedis('ready'), { cooldownMs: 10 });
    const down = vi.fn();
    const up = vi.fn();
    guard.onUnavailable(down);
    guard.onRecovered(up);
    await guard.run(async () => Promise.reject(new Error('READONLY')));
    vi.advanceTimersByTime(10);
    await guard.run(async () => Promise.reject(new Error('READONLY')));
    expect(down).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10);
    await guard.run(async () => 'fine');
    expect(up).toHaveBeenCalledTimes(1);
  });
});
