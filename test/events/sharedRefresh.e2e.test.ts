import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectCoordinationRedis, type CoordinationRedis } from '../../src/cache/coordinationRedis';
import { ChangeLog } from '../../src/changes/ChangeLog';
import { DependencyStore } from '../../src/dependencies/DependencyStore';
import { NodeIndexCache } from '../../src/dependencies/NodeIndexCache';
import { EventRefresher } from '../../src/events/EventRefresher';
import type { ResourceEvent } from '../../src/events/ResourceEvent';
import { createLogger } from '../../src/telemetry/logger';
import { startRedisServer, type RedisServer } from '../support/redisServer';
import { startTestHost, type TestHost } from '../support/localHost';

/**
 * Two EventRefresher instances, as two function instances would run them, sharing one real
 * redis-server: a duplicate event id and a burst for one resource are recognised across them.
 */
describe('resource events across instances (shared Redis)', () => {
  let host: TestHost;
  let redis: RedisServer;
  const connections: CoordinationRedis[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    host = await startTestHost({ emulator: { subscriptionCount: 1, vmsPerSubscription: 6 } });
    const started = await host.api<{ scanId: string }>('POST', '/api/scans', {
      resourceTypes: ['Microsoft.Compute/virtualMachines'],
    });
    expect((await host.waitForScan(started.body.scanId)).status).toBe('completed');
  });
  afterAll(async () => {
    for (const c of connections) c.close();
    await host?.stop();
    await redis?.stop();
  });

  /** One instance: its own Redis connection, change log, graph store and node index. */
  const instance = async (withRedis: boolean): Promise<EventRefresher> => {
    const s = host.services;
    const conn = connectCoordinationRedis(withRedis ? redis.url : undefined);
    connections.push(conn);
    if (conn.redis) {
      const r = conn.redis;
      for (let i = 0; i < 100 && r.status !== 'ready'; i++) await new Promise((x) => setTimeout(x, 20));
      expect(r.status).toBe('ready');
    }
    return new EventRefresher({
      ...(conn.redis ? { redis: conn.redis } : {}),
      tables: s.tables,
      arm: s.arm,
      changeLog: new ChangeLog(s.tables.changes, () => s.store.listScans(100)),
      dependencies: new DependencyStore(s.tables.dependencies),
      nodes: new NodeIndexCache(s.tables.resources),
      invalidate: async () => undefined,
      logger: createLogger('test'),
      collapseMs: 400,
    });
  };
  let n = 0;
  const writeEvent = (subject: string): ResourceEvent => ({
    id: `shared-${Date.now()}-${n++}`,
    subject,
    eventType: 'Microsoft.Resources.ResourceWriteSuccess',
    eventTime: new Date().toISOString(),
    operation: 'Microsoft.Compute/virtualMachines/write',
    actor: 'tester@contoso.example',
  });
  const getsOf = (id: string, since: number) =>
    host.emulator
      .requestLog()
      .filter((r) => r.at >= since && r.method === 'GET' && r.path.toLowerCase() === id.toLowerCase()).length;
  const vm = (i: number) => host.emulator.estate.subscriptions[0]?.vms[i]?.id as string;

  it('an event id refreshed by one instance is a duplicate on the other, with no read', async () => {
    const [a, b] = [await instance(true), await instance(true)];
    const event = writeEvent(vm(1));
    const since = Date.now();
    expect(await a.refresh(event)).not.toBe('duplicate');
    expect(await b.refresh(event)).toBe('duplicate');
    expect(getsOf(vm(1), since)).toBe(1);
  });

  it('events for one resource on two instances within the window: one read', async () => {
    const [a, b] = [await instance(true), await instance(true)];
    const first = writeEvent(vm(2));
    const since = Date.now();
    const one = a.refresh(first);
    await new Promise((r) => setTimeout(r, 50));
    const second = writeEvent(vm(2));
    const outcomes = await Promise.all([one, b.refresh(second)]);
    expect(outcomes).toContain('collapsed');
    expect(outcomes.filter((o) => o !== 'collapsed')).toHaveLength(1);
    expect(getsOf(vm(2), since)).toBe(1);
    // and after the window, the next event is read again (the window closed before the read)
    const later = Date.now();
    expect(await b.refresh(writeEvent(vm(2)))).not.toBe('collapsed');
    expect(getsOf(vm(2), later)).toBe(1);
  });

  it('without Redis each instance decides for itself (both read), and nothing fails', async () => {
    const [a, b] = [await instance(false), await instance(false)];
    const event = writeEvent(vm(3));
    const since = Date.now();
    const outcomes = [await a.refresh(event), await b.refresh(event)];
    expect(outcomes).not.toContain('duplicate');
    expect(outcomes).not.toContain('failed');
    expect(getsOf(vm(3), since)).toBe(2);
    // with Redis gone mid-way, the shared instances fall back the same way
    const [c, d] = [await instance(true), await instance(true)];
    await redis.stop();
    const again = writeEvent(vm(4));
    const at = Date.now();
    const fallback = [await c.refresh(again), await d.refresh(again)];
    expect(fallback).not.toContain('duplicate');
    expect(getsOf(vm(4), at)).toBe(2);
  });
});
