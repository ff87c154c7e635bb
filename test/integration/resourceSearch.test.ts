import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RESOURCES_CACHE_NAMESPACE, ResourcesApi } from '../../src/api/ResourcesApi';
import { searchRank } from '../../src/api/searchResources';
import { createCache } from '../../src/cache/Cache';
import { primaryEntity } from '../../src/storage/resourceEntity';
import { upsertInBatches } from '../../src/storage/tables';
import { startRedisServer } from '../support/redisServer';
import { handMadeEstate, ids } from '../dependencies/handMadeEstate';
import { seedConnectedEstate } from '../support/connectedEstate';
import { startTestHost, type TestHost } from '../support/localHost';

interface Page {
  items: Array<{ id: string; name: string; type: string; key: string; properties: Record<string, unknown> }>;
  continuationToken?: string;
}

/** `GET /api/resources?q=`: the page's search box, over the whole inventory in Azurite. */
describe('searching the inventory by name, id or type', () => {
  let host: TestHost;

  beforeAll(async () => {
    host = await startTestHost({ emulator: { subscriptionCount: 1, vmsPerSubscription: 1 } });
    await seedConnectedEstate(host.services);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it.each([
    ['vm1', 'vm1', 0],
    ['vm1', 'vm1-os', 1],
    ['app', 'web-app', 2],
    ['rg-app', 'vm1', 3],
    ['compute/disks', 'vm1-os', 3],
    ['zzz', 'vm1', undefined],
  ])('ranks "%s" against a resource named %s: %s', (needle, name, rank) => {
    const resource = handMadeEstate().find((r) => r.name === name);
    if (!resource) throw new Error(`the hand-made estate has no ${name}`);
    expect(searchRank(needle, resource.name, resource.id, resource.type)).toBe(rank);
  });

  it('answers exact name first, then names starting with it, then containing it, with full items', async () => {
    const res = await host.api<Page>('GET', '/api/resources?q=VM1');
    expect(res.status).toBe(200);
    const names = res.body.items.map((r) => r.name);
    expect(names[0]).toBe('vm1');
    expect(names).toEqual(expect.arrayContaining(['vm1-os', 'vm1-data', 'nic-vm1']));
    expect(names.indexOf('vm1-os')).toBeLessThan(names.indexOf('nic-vm1'));
    const vm = res.body.items[0];
    expect(vm?.id).toBe(ids.vm);
    // Full items, as GET /api/resources answers them: the key leads to the resource's own route.
    expect(Object.keys(vm?.properties ?? {}).length).toBeGreaterThan(0);
    const one = await host.api<{ id: string }>('GET', `/api/resources/${vm?.key}`);
    expect(one.body.id).toBe(ids.vm);
    expect(res.body.continuationToken).toBeUndefined();
  });

  it('finds by a piece of the id or of the type, with the other filters, and honours limit', async () => {
    const byType = await host.api<Page>('GET', '/api/resources?q=microsoft.sql/servers');
    expect(byType.body.items.map((r) => r.id).sort()).toEqual([ids.sql, ids.db].sort());
    const limited = await host.api<Page>('GET', '/api/resources?q=rg-app&limit=3');
    expect(limited.body.items).toHaveLength(3);
    const typed = await host.api<Page>('GET', '/api/resources?q=vm1&type=Microsoft.Compute/disks');
    expect(typed.body.items.map((r) => r.name).sort()).toEqual(['vm1-data', 'vm1-os']);
    const none = await host.api<Page>('GET', '/api/resources?q=no-such-thing');
    expect(none.body.items).toEqual([]);
  });

  it.each([
    ['q=a', 'q: must be 2 to 200 characters'],
    [`q=${'x'.repeat(201)}`, 'q: must be 2 to 200 characters'],
    ['q=vm&continuationToken=abc', 'q answers its best matches in one page'],
  ])('rejects %s with a 400 that says what to fix', async (query, message) => {
    const res = await host.api<{ error: { code: string; message: string } }>(
      'GET',
      `/api/resources?${query}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ValidationError');
    expect(res.body.error.message).toContain(message);
  });

  it('with Redis, scans the table once per cache version however many texts are asked, and again after a write', async () => {
    const redis = await startRedisServer();
    // What is asserted is one scan per cache version. With the default 50 ms command timeout a
    // reply delayed on a busy CI machine counts as a miss and the search scans again (its designed
    // fallback), so the cache here waits longer.
    const cache = createCache({ url: redis.url, commandTimeoutMs: 2000 });
    try {
      const table = host.services.tables.resources;
      const scans = vi.spyOn(table, 'listEntities');
      const api = new ResourcesApi(table, cache, {
        coverage: async () => [],
        dependencies: async () => ({ outgoing: [], incoming: [] }),
      });
      const names = async (q: string) => (await api.list({ q })).items.map((r) => r.name);
      // The search's scans (the host's own reads share this table client).
      const searchScans = () =>
        scans.mock.calls.filter(
          (c) => c[0]?.queryOptions?.select?.join(',') === 'PartitionKey,RowKey,id,name,type',
        ).length;
      expect(await names('vm1')).toContain('vm1');
      expect(await names('sql')).toContain('sql-app');
      expect(await names('kv-')).toEqual(['kv-app']);
      expect(searchScans()).toBe(1);

      // A new resource, written as a scan writes it, then the version bumped as finalize does.
      const id = ids.vault.replace('kv-app', 'kv-new');
      await upsertInBatches(table, [
        primaryEntity(
          {
            id,
            name: 'kv-new',
            type: 'Microsoft.KeyVault/vaults',
            location: 'eastus',
            tags: {},
            properties: {},
          },
          {
            scanId: '20260102T000000Z-5eed5eed',
            seenAt: new Date().toISOString(),
            canonicalType: 'Microsoft.KeyVault/vaults',
          },
        ),
      ]);
      await cache.bumpVersion(RESOURCES_CACHE_NAMESPACE);
      expect((await names('kv-')).sort()).toEqual(['kv-app', 'kv-new']);
      expect(searchScans()).toBe(2);
      scans.mockRestore();
    } finally {
      await cache.close();
      await redis.stop();
    }
  });
});
