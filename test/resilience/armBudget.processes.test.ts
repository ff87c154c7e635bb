import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArmEmulator, type ArmEmulator } from '../../src/emulator';
import { startRedisServer, type RedisServer } from '../support/redisServer';
import { bucketWindowBound, maxInWindow, runBudgetWorkers } from './fixtures/budgetHarness';

/**
 * The shared Resource Manager budget across 4 OS processes, as the emulator sees it: every
 * process calls through the real SDK client with the ARM pipeline policy (a scaled budget of
 * burst 5 + 20/s so the test takes seconds), and the emulator's arrival times never exceed it.
 */
describe('the ARM budget shared by 4 processes', () => {
  let redis: RedisServer;
  let emulator: ArmEmulator;
  const capacity = 5;
  const refillPerSecond = 20;
  const durationMs = 3000;

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = await startArmEmulator({ subscriptionCount: 1, connected: false, vmsPerSubscription: 5 });
  });
  afterAll(async () => {
    await emulator?.close();
    await redis?.stop();
  });

  const arrivals = () =>
    emulator
      .requestLog()
      .filter((r) => /\/vmSizes$/i.test(r.path))
      .map((r) => r.at);

  it.each([
    ['with Redis up, one budget for all', 1, true],
    ['with Redis down, each process falls back to its quarter', 0.25, false],
  ])('%s', async (_, fallbackShare, redisUp) => {
    if (!redisUp) await redis.stop();
    emulator.resetStats();
    const subscriptionId = emulator.estate.subscriptions[0]?.subscriptionId as string;
    const reports = await runBudgetWorkers(4, {
      mode: 'arm',
      caFile: emulator.caFile,
      redisUrl: redis.url,
      targetUrl: emulator.endpoint,
      scope: subscriptionId,
      capacity,
      refillPerSecond,
      fallbackShare,
      durationMs,
      loops: 3,
      maxCalls: 500,
    });
    const seen = arrivals();
    const made = reports.reduce((n, r) => n + r.calls, 0);
    expect(seen.length).toBe(made);
    expect(seen.length).toBeGreaterThan(20);
    expect(maxInWindow(seen, 1000)).toBeLessThanOrEqual(
      bucketWindowBound(capacity, refillPerSecond, 1000, 100),
    );
    expect(seen.length).toBeLessThanOrEqual(
      bucketWindowBound(capacity, refillPerSecond, durationMs + 500, 100),
    );
    expect(reports.every((r) => r.mode === (redisUp ? 'redis' : 'memory'))).toBe(true);
    if (!redisUp) await redis.start();
  });
});
