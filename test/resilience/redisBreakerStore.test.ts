import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TopDeckError } from '../../src/errors/TopDeckError';
import { createCircuitBreaker } from '../../src/resilience/circuitBreaker';
import { createRedisBreakerStore, type RedisBreakerStore } from '../../src/resilience/redisBreakerStore';
import { startRedisServer, type RedisServer } from '../support/redisServer';
import { describeBreakerStoreConformance } from './breakerStoreConformance';

let server: RedisServer;
const clients: Redis[] = [];

/** One client per simulated process, reconnecting quickly so the restart test stays short. */
function client(): Redis {
  const c = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  c.on('error', () => undefined);
  clients.push(c);
  return c;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server?.stop();
});

describeBreakerStoreConformance('redis', () => createRedisBreakerStore(client(), 'test:conformance:'));

describe('circuit breaker state shared through Redis', () => {
  const down = (): TopDeckError =>
    new TopDeckError({ code: 'Http503', message: 'unavailable', transient: true, statusCode: 503 });

  it('two breakers (two clients, as two processes) see each other open the circuit', async () => {
    const storeA = createRedisBreakerStore(client(), 'test:shared:');
    const storeB = createRedisBreakerStore(client(), 'test:shared:');
    const a = createCircuitBreaker({ name: 'arm:sub-shared', store: storeA });
    const b = createCircuitBreaker({ name: 'arm:sub-shared', store: storeB });

    // Failures from both processes add up to one consecutive run.
    for (let i = 0; i < 3; i++) await a.execute(() => Promise.reject(down())).catch(() => undefined);
    for (let i = 0; i < 2; i++) await b.execute(() => Promise.reject(down())).catch(() => undefined);
    expect(b.state()).toBe('open');
    expect(await a.refresh()).toBe('open');

    let called = false;
    const error = await a.execute(async () => (called = true)).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(error).toMatchObject({ code: 'CircuitOpen', transient: true });
    expect((error as Error).message).toContain('arm:sub-shared');
    expect(storeA.mode()).toBe('redis');
  });

  it('a half-open circuit lets exactly one probe through across processes', async () => {
    let t = Date.now();
    const now = (): number => t;
    const stores = [
      createRedisBreakerStore(client(), 'test:probe:'),
      createRedisBreakerStore(client(), 'test:probe:'),
    ];
    const breakers = stores.map((store) =>
      createCircuitBreaker({ name: 'devops:org', threshold: 1, recoveryMs: 1000, store, now }),
    );
    await breakers[0]!.execute(() => Promise.reject(down())).catch(() => undefined);
    t += 1000;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let probes = 0;
    const calls = [...breakers, ...breakers].map((br) =>
      br.execute(async () => {
        probes += 1;
        await gate;
        return 'ok';
      }),
    );
    const settled = Promise.allSettled(calls);
    await until(() => probes > 0, 'the probe to start');
    release();
    const outcomes = await settled;
    expect(probes).toBe(1);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await breakers[1]!.refresh()).toBe('closed');
  });

  it('with Redis stopped, falls back in-process (each call answered, no throw) and recovers when it returns', async () => {
    const stores: RedisBreakerStore[] = [
      createRedisBreakerStore(client(), 'test:fallback:', { cooldownMs: 50 }),
      createRedisBreakerStore(client(), 'test:fallback:', { cooldownMs: 50 }),
    ];
    const unavailable: number[] = [];
    const recovered: number[] = [];
    stores.forEach((s, i) => {
      s.onUnavailable(() => unavailable.push(i));
      s.onRecovered(() => recovered.push(i));
    });
    const [a, b] = stores.map((store) =>
      createCircuitBreaker({ name: 'arm:sub-fallback', threshold: 2, store }),
    );
    await expect(a!.execute(async () => 'up')).resolves.toBe('up');

    await server.stop();
    // Every call completes (bounded by the store's 50 ms per-operation timeout), state is per process now.
    for (let i = 0; i < 10; i++) await expect(a!.execute(async () => i)).resolves.toBe(i);
    for (let i = 0; i < 2; i++) await b!.execute(() => Promise.reject(down())).catch(() => undefined);
    await expect(b!.execute(async () => 'x')).rejects.toMatchObject({ code: 'CircuitOpen' });
    await expect(a!.execute(async () => 'still closed here')).resolves.toBe('still closed here');
    expect(stores.map((s) => s.mode())).toEqual(['memory', 'memory']);
    expect(unavailable.sort()).toEqual([0, 1]);

    await server.start();
    await until(() => clients.every((c) => c.status === 'ready'), 'clients to reconnect');
    await new Promise((r) => setTimeout(r, 60)); // past the 50 ms cooldown
    await expect(a!.execute(async () => 'back')).resolves.toBe('back');
    expect(stores[0]!.mode()).toBe('redis');
    expect(recovered).toContain(0);
  });
});
