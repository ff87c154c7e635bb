import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import { readExisting, readExistingInOneRange } from '../../src/scan/readExisting';
import { countTableOperations } from '../../bench/countRequests';
import { resourcePartitionKey, resourceRowKey } from '../../src/storage/keys';
import type { TableEntity } from '../../src/storage/resourceEntity';
import { upsertInBatches } from '../../src/storage/tables';

const SUB = '0b1f0000-0000-0000-0000-000000000001';
const VM = 'Microsoft.Compute/virtualMachines';
const DISK = 'Microsoft.Compute/disks';

const row = (type: string, rg: string, name: string, hash = 'h1'): TableEntity => {
  const id = `/subscriptions/${SUB}/resourceGroups/${rg}/providers/${type}/${name}`;
  return { partitionKey: resourcePartitionKey(SUB, type, rg), rowKey: resourceRowKey(id), id, hash };
};
const vm = (rg: string, i: number) => row(VM, rg, `vm-${String(i).padStart(4, '0')}`);

describe('readExisting: what is stored for a page of rows', () => {
  let azurite: RunningAzurite;
  let table: TableClient;
  let ops: ReturnType<typeof countTableOperations>;
  const queries = () => ops.counts()['existing query'] ?? 0;

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    table = TableClient.fromConnectionString(azurite.connectionString, 'existing', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    ops = countTableOperations([table]);
    const stored = [
      ...Array.from({ length: 30 }, (_, i) => vm('rg-a', i)),
      ...Array.from({ length: 400 }, (_, i) => vm('rg-b', i)),
      ...Array.from({ length: 30 }, (_, i) => vm('rg-c', i)),
      // another type in the same resource groups, whose keys sort between the VMs'
      ...Array.from({ length: 50 }, (_, i) => row(DISK, 'rg-a', `vm-${String(i).padStart(4, '0')}-os`)),
    ];
    await upsertInBatches(table, stored, 'Replace');
  });
  afterAll(async () => {
    await azurite?.close();
  });

  it('finds a page spanning resource groups in one range, and nothing of another type', async () => {
    // a page in id order: the end of rg-a, all of rg-b, the start of rg-c, and two new VMs
    const page = [
      ...Array.from({ length: 10 }, (_, i) => vm('rg-a', 20 + i)),
      vm('rg-a', 999),
      ...Array.from({ length: 400 }, (_, i) => vm('rg-b', i)),
      ...Array.from({ length: 5 }, (_, i) => vm('rg-c', i)),
      vm('rg-c', 998),
    ];
    const found = await readExisting(table, page);
    expect(found.size).toBe(415);
    expect(found.has(vm('rg-a', 999).rowKey)).toBe(false);
    expect(found.has(vm('rg-c', 998).rowKey)).toBe(false);
    expect(found.get(vm('rg-b', 7).rowKey)).toMatchObject({ id: vm('rg-b', 7).id, hash: 'h1' });
    expect([...found.values()].every((e) => String(e.id).includes('/virtualMachines/'))).toBe(true);
  });

  it('reads the rest by point reads when the page is not in id order and its range holds much more', async () => {
    // a page of 3 rows whose range spans 400 rows of rg-b: the range read stops at its budget
    const page = [vm('rg-c', 29), vm('rg-a', 0), vm('rg-b', 250), vm('rg-c', 997)];
    const found = await readExisting(table, page);
    expect([...found.keys()].sort()).toEqual(
      [vm('rg-a', 0), vm('rg-b', 250), vm('rg-c', 29)].map((r) => r.rowKey).sort(),
    );
  });

  it('reads the types of a generic page each in its own range', async () => {
    const page = [row(DISK, 'rg-a', 'vm-0003-os'), vm('rg-a', 3), row(DISK, 'rg-a', 'absent')];
    const found = await readExisting(table, page);
    expect([...found.keys()].sort()).toEqual([page[0], page[1]].map((r) => (r as TableEntity).rowKey).sort());
  });

  it('reads a Resource Graph page over two subscriptions and two types in one query', async () => {
    const SUB2 = '0b1f0000-0000-0000-0000-000000000002';
    const other = (type: string, name: string): TableEntity => {
      const id = `/subscriptions/${SUB2}/resourceGroups/rg-a/providers/${type}/${name}`;
      return {
        partitionKey: resourcePartitionKey(SUB2, type, 'rg-a'),
        rowKey: resourceRowKey(id),
        id,
        hash: 'h2',
      };
    };
    await upsertInBatches(table, [other(VM, 'vm-x'), other(DISK, 'disk-x')], 'Replace');
    // the end of SUB's rg-c VMs, SUB2's disk and VM, and one new VM in SUB2
    const page = [
      ...Array.from({ length: 10 }, (_, i) => vm('rg-c', 20 + i)),
      other(DISK, 'disk-x'),
      other(VM, 'vm-x'),
      other(VM, 'vm-new'),
    ];
    const before = queries();
    const found = await readExistingInOneRange(table, page);
    expect([...found.keys()].sort()).toEqual(
      page
        .slice(0, 12)
        .map((r) => r.rowKey)
        .sort(),
    );
    expect(found.get(other(DISK, 'disk-x').rowKey)).toMatchObject({ hash: 'h2' });
    expect(queries() - before).toBe(1);
  });

  it('reads the rest by type when the one range holds much more than the page', async () => {
    // 3 rows whose box spans SUB's 400 rg-b VMs (and more): the box stops at its budget (108)
    const page = [vm('rg-a', 0), vm('rg-b', 250), vm('rg-c', 29), vm('rg-c', 997)];
    const found = await readExistingInOneRange(table, page);
    expect([...found.keys()].sort()).toEqual(
      [vm('rg-a', 0), vm('rg-b', 250), vm('rg-c', 29)].map((r) => r.rowKey).sort(),
    );
  });

  it('reads a page of several types in one query of their own partitions, not the types between them', async () => {
    // 300 snapshots sort between the disks and the VMs, by PartitionKey and by RowKey
    const SNAPSHOT = 'Microsoft.Compute/snapshots';
    await upsertInBatches(
      table,
      Array.from({ length: 300 }, (_, i) => row(SNAPSHOT, 'rg-a', `snap-${i}`)),
      'Replace',
    );
    const page = [
      ...Array.from({ length: 5 }, (_, i) => row(DISK, 'rg-a', `vm-${String(i).padStart(4, '0')}-os`)),
      ...Array.from({ length: 5 }, (_, i) => vm('rg-a', i)),
    ];
    const before = queries();
    const found = await readExistingInOneRange(table, page);
    expect([...found.keys()].sort()).toEqual(page.map((r) => r.rowKey).sort());
    expect(queries() - before).toBe(1);
  });

  it("reads rows of several types under one resource (a cluster's objects) in one query, with their extra columns", async () => {
    const CLUSTER = `/subscriptions/${SUB}/resourceGroups/rg-k/providers/Microsoft.ContainerService/managedClusters/aks-1`;
    const OTHER = `/subscriptions/${SUB}/resourceGroups/rg-k/providers/Microsoft.ContainerService/managedClusters/aks-0`;
    const object = (cluster: string, kind: string, name: string, live?: string): TableEntity => {
      const id = `${cluster}/namespaces/default/${kind}/${name}`;
      return {
        partitionKey: resourcePartitionKey(SUB, `Microsoft.ContainerService/managedClusters/${kind}`, 'rg-k'),
        rowKey: resourceRowKey(id),
        id,
        hash: 'hk',
        ...(live ? { k8sLive: live } : {}),
      };
    };
    const kinds = ['configmaps', 'deployments', 'ingresses', 'services', 'statefulsets'];
    // another cluster of the same group, whose objects share the partitions (and 200 of one kind)
    await upsertInBatches(
      table,
      [
        ...kinds.map((k) => object(CLUSTER, k, 'web', '{"ready":1}')),
        ...kinds.map((k) => object(OTHER, k, 'web')),
        ...Array.from({ length: 200 }, (_, i) => object(OTHER, 'deployments', `d-${i}`)),
      ],
      'Replace',
    );
    const page = [...kinds.map((k) => object(CLUSTER, k, 'web')), object(CLUSTER, 'services', 'new')];
    const before = queries();
    const found = await readExisting(table, page, ['k8sLive']);
    expect(queries() - before).toBe(1);
    expect([...found.keys()].sort()).toEqual(
      page
        .slice(0, kinds.length)
        .map((r) => r.rowKey)
        .sort(),
    );
    expect(found.get(object(CLUSTER, 'deployments', 'web').rowKey)).toMatchObject({
      hash: 'hk',
      k8sLive: '{"ready":1}',
    });
  });

  it("reads the rest by type when one resource's box holds much more than the rows", async () => {
    const CLUSTER = `/subscriptions/${SUB}/resourceGroups/rg-k/providers/Microsoft.ContainerService/managedClusters/aks-2`;
    const object = (kind: string, name: string): TableEntity => {
      const id = `${CLUSTER}/namespaces/default/${kind}/${name}`;
      return {
        partitionKey: resourcePartitionKey(SUB, `Microsoft.ContainerService/managedClusters/${kind}`, 'rg-k'),
        rowKey: resourceRowKey(id),
        id,
        hash: 'hk',
      };
    };
    // 300 config maps of the cluster sit in the box of a page of two deployments and a service
    await upsertInBatches(
      table,
      [
        ...Array.from({ length: 300 }, (_, i) => object('configmaps', `c-${String(i).padStart(3, '0')}`)),
        object('deployments', 'a'),
        object('services', 'z'),
      ],
      'Replace',
    );
    const page = [object('deployments', 'a'), object('services', 'z'), object('configmaps', 'c-000')];
    const found = await readExisting(table, page);
    expect([...found.keys()].sort()).toEqual(page.map((r) => r.rowKey).sort());
  });
});
