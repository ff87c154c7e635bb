import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parallelMap } from '../../src/resilience/parallelMap';

const wait = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });

describe('parallelMap', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns an empty result for an empty input (never "all 0 failed")', async () => {
    await expect(parallelMap([], async () => 1)).resolves.toEqual({ results: [], errors: [] });
  });

  it.each([0, -1, 2.5])('rejects concurrency %s', async (concurrency) => {
    await expect(parallelMap([1], async (x) => x, { concurrency })).rejects.toThrow(/"concurrency"/);
  });

  it('keeps input order whatever the completion order', async () => {
    const durations = [50, 10, 40, 0, 30, 20];
    const run = parallelMap(durations, async (ms, { index }) => {
      await wait(ms);
      return `#${index}:${ms}`;
    });
    await vi.runAllTimersAsync();
    const { results, errors } = await run;
    expect(results).toEqual(['#0:50', '#1:10', '#2:40', '#3:0', '#4:30', '#5:20']);
    expect(errors).toEqual([]);
  });

  it.each([1, 2, 5])('never runs more than concurrency=%i tasks at once', async (concurrency) => {
    let active = 0;
    let peak = 0;
    const run = parallelMap(
      Array.from({ length: 12 }, (_, i) => i),
      async (i) => {
        active++;
        peak = Math.max(peak, active);
        await wait(10 + (i % 3));
        active--;
        return i;
      },
      { concurrency },
    );
    await vi.runAllTimersAsync();
    await run;
    expect(peak).toBe(concurrency);
  });

  it('records failures in input order and keeps the other results', async () => {
    const run = parallelMap([1, 2, 3, 4], async (n) => {
      await wait(5 - n);
      if (n % 2 === 0) throw Object.assign(new Error(`bad ${n}`), { statusCode: 404 });
      return n * 10;
    });
    await vi.runAllTimersAsync();
    const { results, errors } = await run;
    expect(results).toEqual([10, undefined, 30, undefined]);
    expect(errors.map((e) => [e.index, e.item, e.error.code, e.error.message])).toEqual([
      [1, 2, 'Http404', 'bad 2'],
      [3, 4, 'Http404', 'bad 4'],
    ]);
  });

  it('times out a slow task: its signal aborts and a transient Timeout is recorded', async () => {
    const signals: AbortSignal[] = [];
    const run = parallelMap(
      [100, 5, 100],
      async (ms, { signal }) => {
        signals.push(signal);
        await wait(ms, signal);
        return ms;
      },
      { timeoutMs: 20 },
    );
    await vi.runAllTimersAsync();
    const { results, errors } = await run;
    expect(results).toEqual([undefined, 5, undefined]);
    expect(errors.map((e) => [e.index, e.error.code, e.error.transient])).toEqual([
      [0, 'Timeout', true],
      [2, 'Timeout', true],
    ]);
    expect(signals.map((s) => s.aborted)).toEqual([true, false, true]);
  });

  it('frees the slot of a task that ignores its signal', async () => {
    const run = parallelMap(
      ['hang', 'ok'],
      async (item) => {
        if (item === 'hang') await new Promise(() => undefined);
        return item;
      },
      { concurrency: 1, timeoutMs: 10 },
    );
    await vi.runAllTimersAsync();
    const { results, errors } = await run;
    expect(results).toEqual([undefined, 'ok']);
    expect(errors).toHaveLength(1);
  });

  it('the outer signal aborts running tasks and skips the rest', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const run = parallelMap(
      [0, 1, 2, 3],
      async (i, { signal }) => {
        started.push(i);
        await wait(100, signal);
        return i;
      },
      { concurrency: 2, signal: controller.signal },
    );
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error('scan cancelled'));
    await vi.runAllTimersAsync();
    const { results, errors } = await run;
    expect(started).toEqual([0, 1]);
    expect(results).toEqual([undefined, undefined, undefined, undefined]);
    expect(errors.map((e) => e.index)).toEqual([0, 1, 2, 3]);
  });
});
