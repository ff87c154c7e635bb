import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/app/Services';
import { loadSettings } from '../../src/config/settings';
import { DependencyStore } from '../../src/dependencies/DependencyStore';
import { updateDependencies, type UpdateDependenciesDeps } from '../../src/dependencies/updateDependencies';
import { ChangeLog } from '../../src/changes/ChangeLog';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import { primaryEntity } from '../../src/storage/resourceEntity';
import { upsertInBatches } from '../../src/storage/tables';
import { escapeKeyPart, resourceKeyFromId } from '../../src/storage/keys';
import { handMadeEstate, ids, SUB } from '../dependencies/handMadeEstate';
import '../support/localHost';

describe('the dependency graph in Table Storage', () => {
  let azurite: RunningAzurite;
  let services: Services;
  let store: DependencyStore;
  let changeLog: ChangeLog;
  const update = (
    scanId: string,
    options: Pick<UpdateDependenciesDeps, 'pageSize' | 'progress'> & { store?: DependencyStore } = {},
  ) =>
    updateDependencies(
      {
        resources: services.tables.resources,
        store: options.store ?? store,
        changes: changeLog,
        heuristics: false,
        pageSize: options.pageSize,
        progress: options.progress,
      },
      scanId,
      new Date().toISOString(),
    );
  const writeEstate = async (resources = handMadeEstate()) =>
    upsertInBatches(
      services.tables.resources,
      resources.map((r) =>
        primaryEntity(
          {
            id: r.id,
            name: r.name,
            type: r.type,
            location: 'eastus',
            tags: r.tags,
            properties: r.properties,
          },
          { scanId: 's', seenAt: new Date().toISOString(), canonicalType: r.type },
        ),
      ),
      'Replace',
    );

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    services = await createServices({
      settings: loadSettings({ AzureWebJobsStorage: azurite.connectionString, TOPDECK_ARM_TOKEN: 't' }),
    });
    store = new DependencyStore(services.tables.dependencies);
    changeLog = new ChangeLog(services.tables.changes, async () => []);
    await writeEstate();
  });
  afterAll(async () => {
    await services?.close();
    await azurite?.close();
  });

  it('stores each edge once each way, and a repeat of the same scan changes nothing', async () => {
    const first = await update('20260101T000000Z-aaaaaaaa');
    expect(first.dependencies).toBeGreaterThan(30);
    expect(first.edgesAdded).toBe(first.dependencies);
    expect(await update('20260101T000000Z-aaaaaaaa')).toEqual(first);
    const second = await update('20260102T000000Z-bbbbbbbb');
    expect(second).toEqual({ dependencies: first.dependencies, edgesAdded: 0, edgesRemoved: 0 });
    const out = await store.outgoing(ids.nic.toUpperCase());
    const inn = await store.incoming(ids.nsg);
    expect(out.map((e) => e.targetId.toLowerCase()).sort()).toContain(ids.nsg.toLowerCase());
    expect(inn.map((e) => e.sourceId.toLowerCase())).toContain(ids.nic.toLowerCase());
    expect(out.every((e) => e.firstSeenScanId === '20260101T000000Z-aaaaaaaa')).toBe(true);
  });

  it('records a removed edge as a change when a resource stops referencing its target', async () => {
    await writeEstate(
      handMadeEstate().map((r) =>
        r.id === ids.nic ? { ...r, properties: { ...r.properties, networkSecurityGroupId: undefined } } : r,
      ),
    );
    const third = await update('20260103T000000Z-cccccccc');
    expect(third.edgesRemoved).toBe(1);
    expect(third.edgesAdded).toBe(0);
    const page = await services.changesApi.list({ resourceId: ids.nic });
    expect(page.items.filter((i) => i.kind === 'edgeRemoved')).toEqual([
      expect.objectContaining({
        resourceId: ids.nic,
        targetId: ids.nsg,
        method: 'arm-reference',
        scanId: '20260103T000000Z-cccccccc',
      }),
    ]);
  });

  it('answers the blast radius of a subnet over the API, case-insensitively, with depth', async () => {
    const r = await services.dependenciesApi.query({
      resourceId: ids.subnetWeb.toUpperCase(),
      direction: 'in',
      depth: '5',
    });
    const dependents = new Set(r.items.map((i) => i.sourceId.toLowerCase()));
    for (const id of [ids.nic, ids.vm, ids.lb, ids.vmss, ids.site, ids.agw])
      expect(dependents, id).toContain(id.toLowerCase());
    expect(r.items.find((i) => i.sourceId === ids.nic)?.depth).toBe(1);
    expect(r.items.find((i) => i.sourceId === ids.vm)?.depth).toBe(2);
    for (const i of r.items) expect(i.lastSeenScanId).toBe('20260103T000000Z-cccccccc');
    const one = await services.dependenciesApi.query({ resourceId: resourceKeyFromId(ids.vm) });
    expect(one.items.every((i) => i.depth === 1 && i.sourceId === ids.vm)).toBe(true);
  });

  it('fills a resource with its edges both ways', async () => {
    const vm = await services.resourcesApi.get(resourceKeyFromId(ids.vm));
    expect(vm.dependencies.outgoing.map((e) => e.targetId.toLowerCase())).toContain(ids.nic.toLowerCase());
    expect(vm.dependencies.incoming.map((e) => e.sourceId)).toContain(ids.lb);
  });

  it('draws a graph of a subscription, a resource group or an application', async () => {
    const all = await services.dependenciesApi.graph({});
    const nodeIds = new Set(all.nodes.map((n) => n.id.toLowerCase()));
    for (const e of all.edges) {
      expect(nodeIds.has(e.sourceId.toLowerCase()), e.sourceId).toBe(true);
      expect(nodeIds.has(e.targetId.toLowerCase()), e.targetId).toBe(true);
    }
    // every node is a discovered resource, a subnet of one, or marked external
    const external = all.nodes.filter((n) => n.external).map((n) => n.id);
    expect(external).toEqual(expect.arrayContaining(['external:payments.example.com', 'external:10.9.9.9']));
    expect(all.nodes.find((n) => n.id === ids.subnetWeb)).toMatchObject({
      type: 'Microsoft.Network/virtualNetworks/subnets',
      external: false,
    });
    const group = await services.dependenciesApi.graph({ subscriptionId: SUB, resourceGroup: 'RG-APP' });
    // edges of the group's own resources; their far ends elsewhere are drawn too
    expect(group.edges.length).toBeGreaterThan(0);
    expect(group.edges.every((e) => e.sourceId.toLowerCase().includes('/resourcegroups/rg-app/'))).toBe(true);
    expect(group.nodes.map((n) => n.id)).toEqual(expect.arrayContaining([ids.aksPool, ids.remoteVnet]));
    expect(group.edges.some((e) => e.sourceId === ids.remoteVnet)).toBe(false);
    const app = await services.dependenciesApi.graph({ application: 'Shop' });
    expect(
      app.nodes
        .filter((n) => !n.external && n.application === 'shop')
        .map((n) => n.id)
        .sort(),
    ).toEqual([ids.api, ids.site].sort());
    await expect(services.dependenciesApi.graph({ resourceGroup: 'rg-app' })).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('rejects bad dependency queries with the field to fix', async () => {
    for (const [q, field] of [
      [{}, 'resourceId'],
      [{ resourceId: ids.vm, depth: '11' }, 'depth'],
      [{ resourceId: ids.vm, direction: 'up' }, 'direction'],
      [{ resourceId: 'vm1' }, 'resourceId'],
    ] as const) {
      await expect(services.dependenciesApi.query(q as Record<string, string>)).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringContaining(field),
      });
    }
  });

  it('a detection that fails part-way, retried, completes the graph and counts each change once', async () => {
    const before = await update('20260103T120000Z-c0c0c0c0');
    // the NIC gets its NSG back (an edge added), the VM loses its availability set (one removed)
    await writeEstate(
      handMadeEstate().map((r) =>
        r.id === ids.vm ? { ...r, properties: { ...r.properties, availabilitySetId: undefined } } : r,
      ),
    );
    const scanId = '20260103T130000Z-c1c1c1c1';
    // Storage fails once the new edges are written and the removal recorded, before rows go.
    const failing = Object.create(store) as DependencyStore;
    failing.remove = async () => {
      throw new Error('storage went away');
    };
    await expect(update(scanId, { store: failing })).rejects.toThrow('storage went away');
    const retried = await update(scanId);
    expect(retried).toEqual({ dependencies: before.dependencies, edgesAdded: 1, edgesRemoved: 1 });
    expect((await store.outgoing(ids.nic)).map((e) => e.targetId)).toContain(ids.nsg);
    expect((await store.outgoing(ids.vm)).map((e) => e.targetId.toLowerCase())).not.toContain(
      ids.avset.toLowerCase(),
    );
    const vmChanges = await services.changesApi.list({ resourceId: ids.vm });
    expect(
      vmChanges.items.filter((i) => i.scanId === scanId).map((i) => `${i.kind} ${i.targetId?.toLowerCase()}`),
    ).toEqual([`edgeRemoved ${ids.avset.toLowerCase()}`]);
    expect(await update(scanId)).toEqual(retried);
  });

  it('finds the same graph reading the inventory two resources at a time', async () => {
    const rows = async () => {
      const keys: string[] = [];
      for await (const e of services.tables.dependencies.listEntities())
        if (e.partitionKey !== 'meta') keys.push(`${e.partitionKey}/${e.rowKey}/${e.evidence}`);
      return keys.sort();
    };
    const whole = await rows();
    const steps: Array<{ step: string; counts: Record<string, number> }> = [];
    const paged = await update('20260103T140000Z-c2c2c2c2', {
      pageSize: 2,
      progress: (step, counts) => steps.push({ step, counts }),
    });
    expect(paged).toEqual({ dependencies: whole.length / 2, edgesAdded: 0, edgesRemoved: 0 });
    expect(await rows()).toEqual(whole);
    // progress a page at a time, the resources read growing to all of them
    const pages = steps
      .filter((s) => s.step === 'dependencies: page detected')
      .map((s) => s.counts.resources);
    expect(pages.length).toBe(Math.ceil(handMadeEstate().length / 2));
    expect(pages).toEqual([...pages].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(pages.at(-1)).toBe(handMadeEstate().length);
    expect(steps.map((s) => s.step).filter((s) => s !== 'dependencies: page detected')).toEqual([
      'dependencies: index built',
      'dependencies: edges stored',
      'dependencies: removals recorded',
    ]);
  });

  it('rewrites a graph stored in the first key layout at start-up, and reads a history kept in it', async () => {
    const table = services.tables.dependencies;
    const current: Array<Record<string, unknown>> = [];
    for await (const e of table.listEntities()) current.push(e);
    const edges = current.filter(
      (e) => e.partitionKey !== 'meta' && String(e.partitionKey).startsWith('out|'),
    );
    // What a build of the first layout left: a partition per id, and a meta row with no layout.
    await Promise.all(current.map((e) => table.deleteEntity(e.partitionKey as string, e.rowKey as string)));
    const { etag: _etag, timestamp: _ts, ...meta } = current.find((e) => e.partitionKey === 'meta') ?? {};
    await table.upsertEntity(
      { ...meta, partitionKey: 'meta', rowKey: 'graph', layout: undefined },
      'Replace',
    );
    for (const e of edges) {
      const { etag: _e, timestamp: _t, partitionKey: _p, rowKey: _r, ...columns } = e;
      const [src, dst, method] = [String(e.sourceId), String(e.targetId), String(e.method)];
      await table.createEntity({
        partitionKey: `out|${escapeKeyPart(src)}`,
        rowKey: `${escapeKeyPart(dst)}|${method}`,
        ...columns,
      });
      await table.createEntity({
        partitionKey: `in|${escapeKeyPart(dst)}`,
        rowKey: `${escapeKeyPart(src)}|${method}`,
        ...columns,
      });
    }
    const oldHistory = {
      partitionKey: `res|${escapeKeyPart(ids.vm)}`,
      rowKey: '20251201T000000Z-00000000|added',
      scanId: '20251201T000000Z-00000000',
      at: '2025-12-01T00:00:00.000Z',
      kind: 'added',
      resourceId: ids.vm,
      type: 'Microsoft.Compute/virtualMachines',
      typeLower: 'microsoft.compute/virtualmachines',
      name: 'vm-web-1',
      subscriptionId: SUB,
    };
    await services.tables.changes.upsertEntity(oldHistory, 'Replace');

    const before = edges.filter((e) => e.sourceId === ids.nic);
    expect(before.length).toBeGreaterThan(0);
    expect(await store.outgoing(ids.nic)).toEqual([]);
    // a new instance starts on the same storage
    const restarted = await createServices({
      settings: loadSettings({ AzureWebJobsStorage: azurite.connectionString, TOPDECK_ARM_TOKEN: 't' }),
    });
    await restarted.close();
    const next = await update('20260104T000000Z-dddddddd');
    expect(next).toEqual({ dependencies: edges.length, edgesAdded: 0, edgesRemoved: 0 });
    const after: Array<Record<string, unknown>> = [];
    for await (const e of table.listEntities()) after.push(e);
    expect(after.length).toBe(2 * edges.length + 1);
    expect(after.filter((e) => String(e.partitionKey).startsWith('out||subscriptions'))).toEqual([]);
    expect(after.find((e) => e.partitionKey === 'meta')).toMatchObject({ layout: 2 });
    expect((await store.outgoing(ids.nic)).map((e) => e.targetId).sort()).toEqual(
      before.map((e) => e.targetId).sort(),
    );
    // first seen stays the scan that first found each edge
    expect(after.filter((e) => e.firstSeenScanId === '20260104T000000Z-dddddddd')).toEqual([]);
    expect(await store.upgradeLayout()).toBe(false);
    const history = await services.changesApi.list({ resourceId: ids.vm });
    expect(history.items.map((i) => i.scanId)).toContain('20251201T000000Z-00000000');
  });
});
