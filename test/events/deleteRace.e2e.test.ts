import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeItem } from '../../src/changes/ChangeItem';
import type { Discoverer } from '../../src/discovery/Discoverer';
import { findDedicated } from '../../src/discovery/registry';
import { armListingSource } from '../../src/scan/armListingSource';
import { fetchJoinedPage, type JoinedPage } from '../../src/scan/fetchJoinedPage';
import type { PageMessage } from '../../src/scan/messages';
import { createScanContext, type ScanContext } from '../../src/scan/ScanContext';
import { resourcePartitionKey, resourceRowKey } from '../../src/storage/keys';
import { getEntityOrUndefined } from '../../src/storage/tables';
import { removeExpiredTombstones, TOMBSTONE_TTL_MS } from '../../src/storage/tombstones';
import { startTestHost, type TestHost } from '../support/localHost';
import { until } from '../support/eventTests';

describe('an event delete between a scan page’s listing and its write', () => {
  let host: TestHost;
  let ctx: ScanContext;
  const DISKS = 'Microsoft.Compute/disks';

  beforeAll(async () => {
    host = await startTestHost({ emulator: { subscriptionCount: 1, vmsPerSubscription: 6 } });
    const started = await host.api<{ scanId: string }>('POST', '/api/scans', { resourceTypes: [DISKS] });
    expect((await host.waitForScan(started.body.scanId)).status).toBe('completed');
    const s = host.services;
    ctx = createScanContext({
      store: s.store,
      tables: s.tables,
      queues: s.queues,
      arm: s.arm,
      logger: s.logger,
      defaults: { subscriptionIds: [], watchdogMinutes: 30 },
    });
  });
  afterAll(async () => host?.stop());

  const diskRow = (id: string, rg: string, sub: string) =>
    getEntityOrUndefined(
      host.services.tables.resources,
      resourcePartitionKey(sub, DISKS, rg),
      resourceRowKey(id),
    );
  const pageOf = (scanId: string, sub: string, rg: string): PageMessage => ({
    kind: 'page',
    scanId,
    taskId: `${sub}|${DISKS}|${rg}`,
    subscriptionId: sub,
    resourceType: DISKS,
    resourceGroup: rg,
    page: 1,
    correlationId: scanId,
  });
  const changesOf = async (id: string) =>
    (await host.api<{ items: ChangeItem[] }>('GET', `/api/changes?resourceId=${encodeURIComponent(id)}`)).body
      .items;

  it('leaves the row deleted and records no `added` item; a listing made after the delete writes it', async () => {
    const sub = host.emulator.estate.subscriptions[0];
    const disk = sub?.resources.find((r) => r.type === DISKS && !r.managedBy);
    expect(disk).toBeDefined();
    const { id, resourceGroup } = disk as { id: string; resourceGroup: string };
    const subscriptionId = sub?.subscriptionId as string;
    expect(await diskRow(id, resourceGroup, subscriptionId)).toBeDefined();
    const disks = findDedicated(DISKS) as Discoverer;
    let captured: JoinedPage | undefined;
    const source = armListingSource(
      ctx,
      disks,
      async (d, l, m) => (captured = await fetchJoinedPage(d, l, m)),
    );

    // the page is listed (the disk is on it) ...
    const msg = pageOf('race-scan-1', subscriptionId, resourceGroup);
    const listed = await source.read(msg);
    // ... then the disk is deleted and the event's delete lands ...
    await host.emulator.changeEstate({ kind: 'deleteDisk', resourceId: id });
    await until('the event delete', async () => !(await diskRow(id, resourceGroup, subscriptionId)));
    // ... then the page is written (twice: a redelivered page message changes nothing either)
    for (let i = 0; i < 2; i++) {
      const written = await listed.write();
      expect(written.counts).toMatchObject({ added: 0 });
      expect(await diskRow(id, resourceGroup, subscriptionId)).toBeUndefined();
    }
    const history = await changesOf(id);
    expect(history.filter((c) => c.scanId === 'race-scan-1')).toEqual([]);
    expect(history.some((c) => c.kind === 'removed' && c.trigger === 'event')).toBe(true);

    // A page listed after the delete that names the disk (it is back): that one is written.
    const again = armListingSource(ctx, disks, async () => structuredClone(captured as JoinedPage));
    const later = await (await again.read(pageOf('race-scan-2', subscriptionId, resourceGroup))).write();
    expect(later.counts).toMatchObject({ added: 1 });
    expect(await diskRow(id, resourceGroup, subscriptionId)).toBeDefined();
  });

  it('a Resource Graph page counts as listed 30 s before Graph answered: a delete just before it stands', async () => {
    const sub = host.emulator.estate.subscriptions[0];
    // a disk the emulator (standing in for Graph's lagging snapshot) still holds
    const disk = [...(sub?.resources ?? [])].reverse().find((r) => r.type === DISKS);
    const { id, resourceGroup } = disk as { id: string; resourceGroup: string };
    const subscriptionId = sub?.subscriptionId as string;
    const partitionKey = resourcePartitionKey(subscriptionId, DISKS, resourceGroup);
    const rowKey = resourceRowKey(id);
    const deletedBefore = async (ms: number) => {
      await host.services.tables.resources.deleteEntity(partitionKey, rowKey).catch(() => undefined);
      // written as is (recordTombstone never moves a tombstone back in time)
      await host.services.tables.tombstones.upsertEntity(
        { partitionKey, rowKey, id, deletedAt: new Date(Date.now() - ms).toISOString() },
        'Replace',
      );
    };
    const scanDisks = async () => {
      const started = await host.api<{ scanId: string }>('POST', '/api/scans', { resourceTypes: [DISKS] });
      const done = await host.waitForScan(started.body.scanId);
      expect(done.inventory).toMatchObject({ source: 'resourcegraph' });
      return done.scanId;
    };

    // deleted 10 s before the scan asks Graph: within Graph's lag, so its row is not written back
    await deletedBefore(10_000);
    const first = await scanDisks();
    expect(await diskRow(id, resourceGroup, subscriptionId)).toBeUndefined();
    expect((await changesOf(id)).filter((c) => c.scanId === first)).toEqual([]);

    // deleted 5 min before: Graph's answer is newer than the delete, and it still has the disk
    await deletedBefore(300_000);
    const second = await scanDisks();
    expect(await diskRow(id, resourceGroup, subscriptionId)).toBeDefined();
    expect((await changesOf(id)).filter((c) => c.scanId === second).map((c) => c.kind)).toEqual(['added']);
  });

  it('a finalize removes tombstones older than a day, and only those', async () => {
    const table = host.services.tables.tombstones;
    const old = new Date(Date.now() - TOMBSTONE_TTL_MS - 60_000).toISOString();
    await table.upsertEntity({ partitionKey: 'p-old', rowKey: 'r', id: '/x/old', deletedAt: old });
    await table.upsertEntity({
      partitionKey: 'p-new',
      rowKey: 'r',
      id: '/x/new',
      deletedAt: new Date().toISOString(),
    });
    expect(await removeExpiredTombstones(table, new Date())).toBeGreaterThanOrEqual(1);
    expect(await getEntityOrUndefined(table, 'p-old', 'r')).toBeUndefined();
    expect(await getEntityOrUndefined(table, 'p-new', 'r')).toBeDefined();
    // again: nothing left to remove, nothing fails
    expect(await removeExpiredTombstones(table, new Date())).toBe(0);
  });
});
