import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateBudget, type RateBudgetOptions } from '../../src/resilience/rateBudget';
import { startRedisServer, type RedisServer } from '../support/redisServer';

let server: RedisServer;
const clients: Redis[] = [];

function client(): Redis {
  const c = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

/** Two budgets on two clients: two processes sharing one bucket. */
function pair(scope: string, options: Partial<RateBudgetOptions>) {
  const base = { service: 'arm', scope, capacity: 3, refillPerSecond: 0.001, maxWaitMs: 0, ...options };
  return [
    createRateBudget({ ...base, redis: client() }),
    createRateBudget({ ...base, redis: client() }),
  ] as const;
}

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

describe('rate budget shared through Redis (one process, two clients)', () => {
  it('two budgets with the same (service, scope) draw from one bucket', async () => {
    const [a, b] = pair('sub-shared', {});
    await a.take();
    await b.take();
    await a.take();
    await expect(b.take()).rejects.toMatchObject({ code: 'BudgetExhausted', transient: true });
    await expect(a.take()).rejects.toMatchObject({ code: 'BudgetExhausted' });
    expect(a.stats()).toMatchObject({ mode: 'redis', granted: 2, rejected: 1, fallbacks: 0 });
  });

  it('different scopes have separate buckets', async () => {
    const [a] = pair('sub-one', {});
    const [b] = pair('sub-two', {});
    for (let i = 0; i < 3; i++) await a.take();
    await expect(b.take()).resolves.toBeUndefined();
  });

  it('pause() in one process holds the other', async () => {
    const [a, b] = pair('sub-paused', { capacity: 10, refillPerSecond: 10, maxWaitMs: 1000 });
    await a.pause(60_000);
    await expect(b.take()).rejects.toMatchObject({ code: 'BudgetExhausted' });
    const error = (await b.take().then(
      () => undefined,
      (e: unknown) => e,
    )) as { retryAfterMs?: number } | undefined;
    expect(error?.retryAfterMs).toBeGreaterThan(59_000);
  });

  it('a slowdown reported in one process slows the other', async () => {
    const [a, b] = pair('sub-slow', { capacity: 1, refillPerSecond: 10, maxWaitMs: 150, lowWaterMark: 100 });
    a.observeRemaining(10); // 10x slower: one token per second
    // The slowdown is written in the background; wait (bounded) until Redis has it.
    const probe = client();
    for (let i = 0; i < 100 && !(await probe.hget('topdeck:budget:arm:sub-slow', 'slowFactor')); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    await b.take();
    await expect(b.take()).rejects.toMatchObject({ code: 'BudgetExhausted' });
  });

  it('with Redis stopped, takes are decided in-process at the fallback share, then Redis is used again', async () => {
    const redis = client();
    const budget = createRateBudget({
      service: 'devops',
      scope: 'org-fallback',
      capacity: 8,
      refillPerSecond: 0.001,
      maxWaitMs: 0,
      fallbackShare: 0.25,
      redis,
      redisCooldownMs: 50,
    });
    const unavailable: unknown[] = [];
    let recovered = 0;
    budget.onUnavailable((e) => unavailable.push(e));
    budget.onRecovered(() => (recovered += 1));
    await budget.take();
    expect(budget.stats().mode).toBe('redis');

    await server.stop();
    await budget.take();
    await budget.take(); // 2 = 8 * 0.25
    await expect(budget.take()).rejects.toMatchObject({ code: 'BudgetExhausted' });
    expect(budget.stats()).toMatchObject({ mode: 'memory', fallbacks: 3 });
    expect(unavailable).toHaveLength(1);

    await server.start();
    for (let i = 0; i < 200 && redis.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 60)); // past the cooldown
    await budget.take(); // a fresh server: a full shared bucket again
    expect(budget.stats().mode).toBe('redis');
    expect(recovered).toBe(1);
  });
});
