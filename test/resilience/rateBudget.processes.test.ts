import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../support/redisServer';
import {
  bucketWindowBound,
  maxInWindow,
  runBudgetWorkers,
  startArrivalServer,
  type ArrivalServer,
} from './fixtures/budgetHarness';

/**
 * Four OS processes share one budget: capacity 5 (burst), 20 tokens/s, each process running 4
 * concurrent callers as fast as the budget allows for 3 s against a loopback server.
 *
 * What is asserted, on the server's arrival times:
 *   in ANY window of 1000 ms, arrivals <= floor(capacity + refill * (1000 + 100) / 1000) = 27,
 *   over the whole run, arrivals <= floor(capacity + refill * (3000 + 100) / 1000) = 67,
 * i.e. one full bucket (the initial burst) plus what refills in the window, the window widened
 * by 100 ms for the jitter between a slot being granted and the request reaching the server.
 * A per-process (unshared) budget would allow ~4x that; a fixed window ~2x at its boundary.
 */
const PROCESSES = 4;
const CAPACITY = 5;
const REFILL = 20;
const DURATION_MS = 3000;
const SLACK_MS = 100;
const windowBound = bucketWindowBound(CAPACITY, REFILL, 1000, SLACK_MS);
const totalBound = bucketWindowBound(CAPACITY, REFILL, DURATION_MS, SLACK_MS);

let redis: RedisServer;
let target: ArrivalServer;

beforeAll(async () => {
  redis = await startRedisServer();
  target = await startArrivalServer();
});

afterAll(async () => {
  await target?.close();
  await redis?.stop();
});

describe('rate budget shared across 4 OS processes through one redis-server', () => {
  const config = (scope: string) => ({
    redisUrl: redis.url,
    targetUrl: target.url,
    scope,
    capacity: CAPACITY,
    refillPerSecond: REFILL,
    fallbackShare: 1 / PROCESSES,
    durationMs: DURATION_MS,
    loops: 4,
    maxCalls: 500,
  });

  it(`never exceeds ${windowBound} calls in any 1 s window (Redis up)`, async () => {
    target.arrivals.length = 0;
    const reports = await runBudgetWorkers(PROCESSES, config('shared-up'));
    const arrivals = [...target.arrivals];
    expect(reports.map((r) => r.mode)).toEqual(['redis', 'redis', 'redis', 'redis']);
    for (const r of reports) expect(r.calls).toBeGreaterThan(0);
    expect(arrivals.length).toBe(reports.reduce((n, r) => n + r.calls, 0));
    expect(maxInWindow(arrivals, 1000)).toBeLessThanOrEqual(windowBound);
    expect(arrivals.length).toBeLessThanOrEqual(totalBound);
  });

  it(`with Redis stopped, each process falls back to 1/${PROCESSES} and the total still stays within ${windowBound} per 1 s window`, async () => {
    await redis.stop();
    target.arrivals.length = 0;
    const reports = await runBudgetWorkers(PROCESSES, config('shared-down'));
    const arrivals = [...target.arrivals];
    for (const r of reports) {
      expect(r.mode).toBe('memory');
      expect(r.fallbacks).toBeGreaterThan(0);
      expect(r.calls).toBeGreaterThan(0);
    }
    expect(maxInWindow(arrivals, 1000)).toBeLessThanOrEqual(windowBound);
    expect(arrivals.length).toBeLessThanOrEqual(totalBound);
    await redis.start();
  });
});
