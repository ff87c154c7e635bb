import type { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countEntityWrites } from '../../bench/countRequests';
import type { ChangeItem } from '../../src/changes/ChangeItem';
import { primaryEntity } from '../../src/storage/resourceEntity';
import { resourceKeyFromId, resourcePartitionKey, resourceRowKey } from '../../src/storage/keys';
import { listAllResources, startTestHost, type ScanView, type TestHost } from '../support/localHost';

const VM_TYPE = 'Microsoft.Compute/virtualMachines';

/** Entities upserted into a table while `fn` runs (in transactions or one by one; deletes not counted). */
async function countWrites(table: TableClient, fn: () => Promise<void>): Promise<number> {
  const writes = countEntityWrites(table);
  try {
    await fn();
  } finally {
    writes.stop();
  }
  return writes.count();
}

describe('change history and unchanged re-scans through the local runtime', () => {
  let host: TestHost;
  const scanIds: string[] = [];
  const scan = async (body?: unknown): Promise<ScanView> => {
    const started = await host.api<{ scanId: string }>('POST', '/api/scans', body);
    expect(started.status).toBe(202);
    scanIds.push(started.body.scanId);
    return host.waitForScan(started.body.scanId);
  };
  const changes = async (query: string) => {
    const r = await host.api<{ items: ChangeItem[]; continuationToken?: string }>(
      'GET',
      `/api/changes?${query}`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    host = await startTestHost({
      emulator: { subscriptionCount: 2, connected: false, vmsPerSubscription: 100, pageSize: 25 },
      // one test injects a fault into page 2 of a Resource Manager VM listing
      env: { TOPDECK_INVENTORY_SOURCE: 'arm' },
    });
  });
  afterAll(async () => host?.stop());

  it('a first scan is one baseline item per subscription; a re-scan of an unchanged estate records nothing and rewrites no row', async () => {
    const first = await scan();
    expect(first.counts).toMatchObject({ resources: 200, added: 0 });
    const baseline = (await changes(`scanId=${first.scanId}&limit=1000`)).items;
    expect(baseline.map((c) => `${c.kind} ${c.resourceId}`).sort()).toEqual(
      host.emulator.estate.subscriptions.map((s) => `baseline /subscriptions/${s.subscriptionId}`).sort(),
    );
    const firstSeen = new Map((await listAllResources(host)).map((r) => [r.id, r.firstSeenAt]));
    expect(firstSeen.size).toBe(200);
    for (const at of firstSeen.values()) expect(String(at) >= String(first.startedAt)).toBe(true);
    let second: ScanView | undefined;
    const writes = await countWrites(host.services.tables.resources, async () => {
      second = await scan();
    });
    expect(second?.status).toBe('completed');
    expect(second?.counts).toMatchObject({ resources: 200, added: 0, modified: 0, removed: 0 });
    expect(writes).toBe(0);
    expect((await changes(`scanId=${second?.scanId}`)).items).toEqual([]);
    // lastSeenAt stays true without the rewrite: every row was seen by the second scan.
    const items = await listAllResources(host);
    expect(items).toHaveLength(200);
    for (const r of items) expect(r.scanId).toBe(second?.scanId);
    const startedAt = (await host.api<{ startedAt: string }>('GET', `/api/scans/${second?.scanId}`)).body
      .startedAt;
    for (const r of items) expect(String(r.lastSeenAt) >= startedAt).toBe(true);
    for (const r of items) expect(r.firstSeenAt).toBe(firstSeen.get(r.id));
  });

  it("after the baseline, what appears is added, a scan's changes in a partition per resource group (Azurite slows with a partition's size; Azure caps one's rate)", async () => {
    // the rows of one subscription lost from the store are found again: added, not a baseline
    const sub = host.emulator.estate.subscriptions[0]?.subscriptionId as string;
    const lost = (await listAllResources(host, `subscriptionId=${sub}`)).map((r) => r.id);
    for (const id of lost) {
      const parsed = /\/resourceGroups\/([^/]+)\//i.exec(id);
      await host.services.tables.resources.deleteEntity(
        resourcePartitionKey(sub, VM_TYPE, parsed?.[1] ?? ''),
        resourceRowKey(id),
      );
    }
    const view = await scan();
    expect(view.counts).toMatchObject({ resources: 200, added: 100, modified: 0, removed: 0 });
    const scanId = view.scanId;
    const partitions = new Map<string, number>();
    for await (const e of host.services.tables.changes.listEntities({
      queryOptions: { filter: `PartitionKey ge '${scanId}|' and PartitionKey lt '${scanId}}'` },
    }))
      // edge changes have their own partitions (by the source's scope)
      if (!String(e.partitionKey).startsWith(`${scanId}|edges|`))
        partitions.set(e.partitionKey as string, (partitions.get(e.partitionKey as string) ?? 0) + 1);
    const expected = new Map<string, number>();
    for (const r of await listAllResources(host, `subscriptionId=${sub}`)) {
      const pk = `${scanId}|${resourcePartitionKey(String(r.subscriptionId), VM_TYPE, String(r.resourceGroup))}`;
      expected.set(pk, (expected.get(pk) ?? 0) + 1);
    }
    expect(expected.size).toBeGreaterThan(2);
    expect(partitions).toEqual(expected);
    const listed = (await changes(`scanId=${scanId}&limit=1000`)).items;
    expect(listed.filter((c) => c.kind === 'added')).toHaveLength(100);
    expect(listed.filter((c) => c.kind === 'baseline')).toEqual([]);
  });

  it('reports exactly the modified (1%), added (0.5%) and removed (0.5%) resources, with paths', async () => {
    const sub = host.emulator.estate.subscriptions[0];
    if (!sub) throw new Error('no subscription');
    const [a, b, c] = sub.vms;
    if (!a || !b || !c) throw new Error('too few VMs');
    // modified: two VMs get another owner tag (the secret-looking tag changes too: path only)
    const drifted = new RegExp(`^(${a.name}|${b.name})$`);
    host.emulator.driftVm(drifted, (body) => ({
      ...body,
      tags: { ...(body.tags as Record<string, string>), owner: 'team-new', dbPassword: 'hunter2-new' },
    }));
    // added: a row the store lost is found again
    const pk = resourcePartitionKey(sub.subscriptionId, VM_TYPE, c.resourceGroup);
    await host.services.tables.resources.deleteEntity(pk, resourceRowKey(c.id));
    // removed: a row an older scan saw that Azure no longer has
    const ghost = `/subscriptions/${sub.subscriptionId}/resourceGroups/rg-gone/providers/${VM_TYPE}/vm-gone`;
    await host.services.tables.resources.upsertEntity(
      primaryEntity(
        { id: ghost, name: 'vm-gone', type: VM_TYPE, location: 'eastus', tags: {}, properties: {} },
        { scanId: 'older', seenAt: new Date(0).toISOString(), canonicalType: VM_TYPE },
      ),
    );
    let view: ScanView | undefined;
    const writes = await countWrites(host.services.tables.resources, async () => {
      view = await scan();
    });
    host.emulator.driftVm(undefined);
    expect(view?.counts).toMatchObject({ resources: 200, added: 1, modified: 2, removed: 1 });
    // the three rows that changed, nothing else
    expect(writes).toBe(3);

    const got = await changes(`scanId=${view?.scanId}`);
    const summary = got.items.map((i) => `${i.kind} ${i.name}`).sort();
    expect(summary).toEqual(
      [`added ${c.name}`, `modified ${a.name}`, `modified ${b.name}`, 'removed vm-gone'].sort(),
    );
    const modified = got.items.find((i) => i.kind === 'modified' && i.name === a.name);
    expect(modified?.paths).toContainEqual({ path: 'tags.dbPassword', redacted: true });
    expect(modified?.paths).toContainEqual(expect.objectContaining({ path: 'tags.owner', new: 'team-new' }));
    expect(JSON.stringify(got)).not.toContain('hunter2');

    // one resource's history, newest first
    const history = await changes(`resourceId=${encodeURIComponent(a.id.toUpperCase())}`);
    // newest first; its edges (to its NICs and disks) are part of the first scan's baseline
    expect(history.items.map((i) => i.kind)).toEqual(['modified', 'added']);
    expect(history.items[0]?.scanId).toBe(view?.scanId);

    // a time window pages through exactly that scan's changes
    const startedAt = (await host.api<{ startedAt: string }>('GET', `/api/scans/${view?.scanId}`)).body
      .startedAt;
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await changes(
        `since=${startedAt}&limit=1${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(1);
      seen.push(...page.items.map((x) => `${x.kind} ${x.name}`));
      token = page.continuationToken;
      if (!token) break;
    }
    expect(seen.sort()).toEqual(summary);
    expect((await changes(`type=Microsoft.Web/sites&scanId=${view?.scanId}`)).items).toEqual([]);
  });

  it('a scan whose task fails removes nothing of that type and keeps its rows', async () => {
    const sub = host.emulator.estate.subscriptions[1];
    if (!sub) throw new Error('no subscription');
    const ghost = `/subscriptions/${sub.subscriptionId}/resourceGroups/rg-gone/providers/${VM_TYPE}/vm-kept`;
    await host.services.tables.resources.upsertEntity(
      primaryEntity(
        { id: ghost, name: 'vm-kept', type: VM_TYPE, location: 'eastus', tags: {}, properties: {} },
        { scanId: 'older', seenAt: new Date(0).toISOString(), canonicalType: VM_TYPE },
      ),
    );
    host.emulator.addFault({
      path: new RegExp(`/subscriptions/${sub.subscriptionId}/providers/Microsoft.Compute/virtualMachines$`),
      page: 2,
      status: 403,
      code: 'AuthorizationFailed',
    });
    const view = await scan();
    host.emulator.clearFaults();
    expect(view.status).toBe('partial');
    expect(view.counts.removed).toBe(0);
    const kept = await host.api('GET', `/api/resources/${resourceKeyFromId(ghost)}`);
    expect(kept.status).toBe(200);
    expect((await listAllResources(host, `subscriptionId=${sub.subscriptionId}`)).length).toBe(101);
  });

  it('rejects bad change queries with a message naming the field', async () => {
    for (const [q, field] of [
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['type=not-a-type', 'type'],
      ['resourceId=vm1', 'resourceId'],
      ['colour=red', 'colour'],
      ['continuationToken=abc', 'continuationToken'],
    ]) {
      const r = await host.api<{ error: { code: string; message: string } }>('GET', `/api/changes?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.error.message, q).toContain(field as string);
    }
  });
});
