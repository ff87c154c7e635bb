import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOpsEmulator, type DevOpsEmulator } from '../../src/emulator/devops';
import { startRedisServer, type RedisServer } from '../support/redisServer';
import { devopsTestClient } from './devopsTestClient';

/**
 * The organisation's budget holds across workers: 4 clients, each with its own policies and its
 * own Redis connection (as 4 function instances would have), share one Redis budget. The
 * emulator counts what it answered, in every sliding window.
 */
describe('the Azure DevOps budget across 4 concurrent workers (scaled: 20 calls a second)', () => {
  let emulator: DevOpsEmulator;
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = await startDevOpsEmulator({ projects: 1, repositories: 2, builds: 5 });
  });
  afterAll(async () => {
    await emulator?.close();
    await redis?.stop();
  });

  it('never lets more than the budget through in any window', async () => {
    const points = 20;
    const windowMs = 1000;
    const workers = Array.from({ length: 4 }, () =>
      // A generous Redis bound: on a loaded machine the 50 ms default would hand decisions to each
      // worker's in-process share, which is not what this test is about.
      devopsTestClient(emulator, {
        callsPerMinute: points,
        windowMs,
        redisUrl: redis.url,
        redisTimeoutMs: 2000,
      }),
    );
    try {
      // As instances that have been up a moment: each worker's Redis connection is open.
      await Promise.all(workers.map((w) => w.resilience.ready()));
      await Promise.all(
        workers.map(async (w) => {
          for (let i = 0; i < 18; i++)
            await w.client.get({ path: '_apis/projects', scope: 'Project and Team: Read', what: 'projects' });
        }),
      );
      const log = emulator.requestLog();
      expect(log).toHaveLength(72);
      expect(log.every((c) => c.status === 200)).toBe(true);
      const busiest = emulator.maxCallsInWindow(windowMs);
      expect(busiest).toBeLessThanOrEqual(points);
      // The budget was shared through Redis, not split or bypassed: every worker decided there.
      for (const w of workers) {
        expect(w.resilience.budget.stats().mode).toBe('redis');
        expect(w.resilience.budget.stats().fallbacks).toBe(0);
      }
      expect(busiest).toBeGreaterThanOrEqual(points / 2);
    } finally {
      for (const w of workers) await w.close();
    }
  });
});
