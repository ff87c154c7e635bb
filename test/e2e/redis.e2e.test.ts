import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAllResources, startTestHost, type TestHost } from '../support/localHost';
import { startRedisServer, type RedisServer } from '../support/redisServer';

describe('the Redis cache during a scan', () => {
  let redis: RedisServer;
  let host: TestHost;
  beforeAll(async () => {
    redis = await startRedisServer();
    host = await startTestHost({
      env: { REDIS_URL: redis.url },
      emulator: {
        subscriptionCount: 2,
        connected: false,
        vmsPerSubscription: 200,
        pageSize: 20,
        latencyMs: 15,
        // auto: the 400 VMs are one Resource Graph chain of 20 pages
        graphPageSize: 20,
        graphQuota: false,
      },
    });
  });
  afterAll(async () => {
    await host?.stop();
    await redis?.stop();
  });

  it('serves reads from the cache and invalidates them when a scan finalizes', async () => {
    const first = await host.api<{ scanId: string }>('POST', '/api/scans');
    await host.waitForScan(first.body.scanId);
    const a = await host.api<{ items: unknown[] }>('GET', '/api/resources?limit=3');
    const hitsBefore = (await host.services.cache.stats()).hits;
    const b = await host.api<{ items: unknown[] }>('GET', '/api/resources?limit=3');
    expect(b.body).toEqual(a.body);
    expect((await host.services.cache.stats()).hits).toBeGreaterThan(hitsBefore);

    const second = await host.api<{ scanId: string }>('POST', '/api/scans');
    await host.waitForScan(second.body.scanId);
    const c = await host.api<{ items: Array<{ scanId: string }> }>('GET', '/api/resources?limit=3');
    expect(c.body.items.every((i) => i.scanId === second.body.scanId)).toBe(true);
  });

  it('gives the same result when Redis stops mid-scan, and answers every route while it is down', async () => {
    const started = await host.api<{ scanId: string }>('POST', '/api/scans');
    // Stop Redis once the scan has written some pages but not all.
    for (let i = 0; i < 200; i++) {
      const { body } = await host.api<{ counts: { resources: number }; status: string }>(
        'GET',
        `/api/scans/${started.body.scanId}`,
      );
      if (body.counts.resources > 0 || body.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await redis.stop();
    const scan = await host.waitForScan(started.body.scanId);
    expect(scan.status).toBe('completed');
    expect(scan.counts.resources).toBe(400);
    const items = await listAllResources(host);
    expect(items).toHaveLength(400);
    expect(items.every((i) => i.scanId === started.body.scanId)).toBe(true);
    const one = await host.api<{ id: string }>('GET', `/api/resources/${items[0]?.key}`);
    expect(one.status).toBe(200);
    expect((await host.services.cache.stats()).errors).toBeGreaterThan(0);

    await redis.start();
    const again = await listAllResources(host);
    expect(again.map((i) => i.id).sort()).toEqual(items.map((i) => i.id).sort());
  });
});
