import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTableOperations } from '../../bench/countRequests';
import type { ChangeItem } from '../../src/changes/ChangeItem';
import type { ChangeLog } from '../../src/changes/ChangeLog';
import { kubernetesId, kubernetesType, type KubernetesKind } from '../../src/kubernetes/kubernetesKinds';
import { removeClusterObjects } from '../../src/kubernetes/removeGoneObjects';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import type { ScanRow } from '../../src/scan/ScanRecords';
import type { ScanStore } from '../../src/scan/ScanStore';
import { seenKeyOf } from '../../src/scan/seenKeys';
import { resourcePartitionKey, resourceRowKey } from '../../src/storage/keys';
import type { TableEntity } from '../../src/storage/resourceEntity';
import { upsertInBatches } from '../../src/storage/tables';

const SUB = '0b1f0000-0000-0000-0000-000000000007';
const cluster = (rg: string, name: string) =>
  `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`;
const AKS = cluster('rg-aks', 'aks-1');
/** Same group, a name that shares the first's as a prefix: its rows sort beside the first's. */
const AKS_NEIGHBOUR = cluster('rg-aks', 'aks-1-b');

const row = (id: string, type: string, rg = 'rg-aks'): TableEntity => ({
  partitionKey: resourcePartitionKey(SUB, type, rg),
  rowKey: resourceRowKey(id),
  id,
  name: id.split('/').pop() as string,
  type,
  lastSeenAt: '2026-01-01T00:00:00.000Z',
});
const object = (clusterId: string, kind: KubernetesKind, name: string, namespace?: string) =>
  row(kubernetesId(clusterId, kind, name, namespace), kubernetesType(kind));

describe('removeClusterObjects: the objects of one cluster its task did not see again', () => {
  let azurite: RunningAzurite;
  let table: TableClient;
  let ops: ReturnType<typeof countTableOperations>;
  const recorded: ChangeItem[] = [];

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    table = TableClient.fromConnectionString(azurite.connectionString, 'k8sremovals', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    ops = countTableOperations([table]);
  });
  afterAll(async () => {
    await azurite?.close();
  });

  it('reads the cluster in one query, removes only its unseen Kubernetes rows, and keeps every other row', async () => {
    const seenDeployment = object(AKS, 'deployments', 'web', 'shop');
    const goneDeployment = object(AKS, 'deployments', 'old', 'shop');
    const goneNode = object(AKS, 'nodes', 'aks-nodepool1-0');
    const goneConfigMap = object(AKS, 'configmaps', 'settings', 'shop');
    const goneStatefulSet = object(AKS, 'statefulsets', 'db', 'shop');
    // an ARM child of the cluster whose partition sorts between the Kubernetes kinds' partitions
    const maintenance = row(
      `${AKS}/maintenanceConfigurations/default`,
      'Microsoft.ContainerService/managedClusters/maintenanceConfigurations',
    );
    const neighbour = object(AKS_NEIGHBOUR, 'deployments', 'web', 'shop');
    const otherGroup = object(cluster('rg-other', 'aks-1'), 'deployments', 'old', 'shop');
    otherGroup.partitionKey = resourcePartitionKey(SUB, kubernetesType('deployments'), 'rg-other');
    const writtenSinceStart: TableEntity = {
      ...object(AKS, 'services', 'new', 'shop'),
      lastSeenAt: '2026-06-01T00:10:00.000Z',
    };
    await upsertInBatches(
      table,
      [
        seenDeployment,
        goneDeployment,
        goneNode,
        goneConfigMap,
        goneStatefulSet,
        maintenance,
        neighbour,
        otherGroup,
        writtenSinceStart,
      ],
      'Replace',
    );
    const changes = { record: async (items: ChangeItem[]) => void recorded.push(...items) };
    const scan = { scanId: 's-2', startedAt: '2026-06-01T00:00:00.000Z' } as ScanRow;
    const before = ops.counts()['k8sremovals query'] ?? 0;

    const removed = await removeClusterObjects(
      {
        resources: table,
        changes: changes as unknown as ChangeLog,
        store: {} as ScanStore,
        now: () => new Date('2026-06-01T00:20:00.000Z'),
      },
      scan,
      AKS,
      new Set([seenKeyOf(seenDeployment.rowKey)]),
    );

    expect((ops.counts()['k8sremovals query'] ?? 0) - before).toBe(1);
    expect(removed).toBe(4);
    expect(recorded.map((c) => c.resourceId).sort()).toEqual(
      [goneDeployment.id, goneNode.id, goneConfigMap.id, goneStatefulSet.id].sort(),
    );
    expect(recorded.every((c) => c.kind === 'removed' && c.scanId === 's-2')).toBe(true);
    expect(recorded.find((c) => c.resourceId === goneNode.id)?.type).toBe(kubernetesType('nodes'));
    const left = new Set<string>();
    for await (const e of table.listEntities()) left.add(e.id as string);
    expect([...left].sort()).toEqual(
      [seenDeployment, maintenance, neighbour, otherGroup, writtenSinceStart]
        .map((r) => r.id as string)
        .sort(),
    );
  });
});
