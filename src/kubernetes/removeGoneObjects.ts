import type { TableClient } from '@azure/data-tables';
import type { ChangeItem } from '../changes/ChangeItem';
import type { ChangeLog } from '../changes/ChangeLog';
import { parseResourceId } from '../discovery/Resource';
import type { ScanRow, TaskRow } from '../scan/ScanRecords';
import type { ScanStore } from '../scan/ScanStore';
import { seenKeyOf, seenKeySet } from '../scan/seenKeys';
import { odataString, prefixFilter, resourcePartitionKey, resourceRowKey } from '../storage/keys';
import { deleteInBatches } from '../storage/tables';
import { KUBERNETES_TYPES } from './kubernetesKinds';

export interface RemoveDeps {
  resources: TableClient;
  changes: ChangeLog;
  store: ScanStore;
  now: () => Date;
}

/**
 * The objects of one cluster that its task, finished cleanly in this scan, did not list again:
 * recorded as removed, then deleted. Safe to run twice.
 */
export async function removeGoneObjects(deps: RemoveDeps, scan: ScanRow, task: TaskRow): Promise<number> {
  const seen = seenKeySet((await deps.store.listPageMarkers(scan.scanId, task.taskId)).map((m) => m.seen));
  return removeClusterObjects(deps, scan, task.project as string, seen);
}

/**
 * A cluster's objects but the `seen` ones, recorded as removed, then deleted (all of them for a
 * cluster deleted from Azure). Only that cluster's rows are looked at (its id prefixes their
 * RowKeys); a row another scan wrote after this one started is kept. Safe to run twice.
 */
export async function removeClusterObjects(
  deps: RemoveDeps,
  scan: ScanRow,
  clusterId: string,
  seen: ReadonlySet<string> = new Set(),
): Promise<number> {
  const parsed = parseResourceId(clusterId);
  if (!parsed) return 0;
  const rowPrefix = `${resourceRowKey(clusterId)}|`;
  const gone: Array<{ partitionKey: string; rowKey: string; id: string; name: string; type: string }> = [];
  // The cluster's partitions, one per kind: ONE query from the least to the greatest, its RowKeys
  // (the cluster's id prefixes them) keeping it to this cluster's rows.
  const typeOf = new Map(
    KUBERNETES_TYPES.map((type) => [
      resourcePartitionKey(parsed.subscriptionId, type, parsed.resourceGroup),
      type,
    ]),
  );
  const partitions = [...typeOf.keys()].sort();
  for await (const e of deps.resources.listEntities<{ id?: string; name?: string; lastSeenAt?: string }>({
    queryOptions: {
      filter:
        `PartitionKey ge ${odataString(partitions[0] as string)}` +
        ` and PartitionKey le ${odataString(partitions[partitions.length - 1] as string)}` +
        ` and ${prefixFilter('RowKey', rowPrefix)}`,
      select: ['PartitionKey', 'RowKey', 'id', 'name', 'lastSeenAt'],
    },
  })) {
    const pk = e.partitionKey as string;
    const type = typeOf.get(pk);
    if (!type) continue;
    if (seen.has(seenKeyOf(e.rowKey as string))) continue;
    if (e.lastSeenAt && e.lastSeenAt >= scan.startedAt) continue;
    gone.push({ partitionKey: pk, rowKey: e.rowKey as string, id: e.id ?? '', name: e.name ?? '', type });
  }
  if (!gone.length) return 0;
  const at = deps.now().toISOString();
  const records: ChangeItem[] = gone
    .filter((g) => g.id)
    .map((g) => ({
      scanId: scan.scanId,
      at,
      kind: 'removed',
      resourceId: g.id,
      name: g.name,
      type: g.type,
      subscriptionId: parsed.subscriptionId,
    }));
  await deps.changes.record(records);
  await deleteInBatches(deps.resources, gone);
  return records.length;
}
