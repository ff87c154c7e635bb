import type { ChangeItem } from '../changes/ChangeItem';
import { findDedicated } from '../discovery/registry';
import { odataString, prefixFilter } from '../storage/keys';
import { deleteInBatches } from '../storage/tables';
import { isInventoryTask } from './inventoryTask';
import type { ScanRow, TaskRow } from './ScanRecords';
import type { ScanContext } from './ScanContext';
import { seenKeyOf, seenKeySet } from './seenKeys';
import { scopesOfPartition, taskScope, taskScopeFilter } from './taskScope';

/** What a clean task's finalize removed, and the coverage scopes it listed whole. */
export interface Removal {
  removed: number;
  scopes: string[];
}

/**
 * Rows of the task's scope that none of its pages listed: removed from Azure. A row another scan
 * running alongside wrote after this one started is present, not removed. Called only for a task
 * that listed its whole scope cleanly. An inventory task's scope is every row of its subscription
 * (and resource group) of a type without a dedicated discoverer: one scope per such type.
 */
export async function removeUnseen(
  ctx: ScanContext,
  scan: ScanRow,
  task: TaskRow,
  /** The scan's tasks, for the extensions' rows owned by what is gone (see ScanExtension.removeOwnedBy). */
  tasks: TaskRow[] = [],
): Promise<Removal> {
  const { tables, store } = ctx.deps;
  const scanId = scan.scanId;
  // A task of one page carries its page's seen keys (processPage); a task of a Resource Graph chain
  // was listed by its chain's pages, whose markers are the lead task's; any other reads its markers.
  const seen = seenKeySet(
    !task.chain && task.pages === 1 && task.seen !== undefined
      ? [task.seen]
      : (await store.listPageMarkers(scanId, task.chain ?? task.taskId)).map((m) => m.seen),
  );
  const inventory = isInventoryTask(task);
  const filter = inventory ? inventoryFilter(task) : taskScopeFilter(task);
  const scopes = new Set<string>(inventory ? [] : [taskScope(task)]);
  const gone: Array<{ partitionKey: string; rowKey: string; id?: string; name?: string; type?: string }> = [];
  for await (const e of tables.resources.listEntities<{
    id?: string;
    name?: string;
    type?: string;
    lastSeenAt?: string;
    statusSeenAt?: string;
  }>({
    queryOptions: {
      filter,
      select: ['PartitionKey', 'RowKey', 'id', 'name', 'type', 'lastSeenAt', 'statusSeenAt'],
    },
  })) {
    const partitionKey = e.partitionKey as string;
    if (inventory) {
      // rows of dedicated types belong to their own tasks
      // (and rows an extension keeps, such as Kubernetes objects, are the extension's to remove)
      if (
        !e.type ||
        findDedicated(e.type) ||
        ctx.deps.extensions?.some((x) => x.keepsType?.(e.type as string))
      )
        continue;
      const [typePrefix] = scopesOfPartition(partitionKey);
      scopes.add(task.resourceGroup ? partitionKey : (typePrefix ?? partitionKey));
    }
    if (seen.has(seenKeyOf(e.rowKey as string))) continue;
    const written = [e.lastSeenAt, e.statusSeenAt]
      .filter((t): t is string => Boolean(t))
      .sort()
      .pop();
    if (written && written >= scan.startedAt) continue;
    gone.push({ partitionKey, rowKey: e.rowKey as string, id: e.id, name: e.name, type: e.type });
  }
  if (!gone.length) return { removed: 0, scopes: [...scopes] };
  // What extensions keep under the gone resources goes first (a retry finds the owners again).
  const owners = gone
    .filter((g) => g.id)
    .map((g) => ({ id: g.id as string, type: inventory ? (g.type ?? '') : task.resourceType }));
  // (the scan's `removed` count stays the Azure rows', as for the extensions' other removals)
  for (const extension of ctx.deps.extensions ?? []) await extension.removeOwnedBy?.(scan, tasks, owners);
  const at = ctx.now().toISOString();
  const records: ChangeItem[] = gone
    .filter((g) => g.id)
    .map((g) => ({
      scanId,
      at,
      kind: 'removed',
      resourceId: g.id as string,
      name: g.name ?? '',
      type: inventory ? (g.type ?? '') : task.resourceType,
      subscriptionId: task.subscriptionId,
    }));
  await ctx.changeLog.record(records);
  await deleteInBatches(tables.resources, gone);
  return { removed: records.length, scopes: [...scopes] };
}

function inventoryFilter(task: TaskRow): string {
  const subscription = prefixFilter('PartitionKey', `${task.subscriptionId.toLowerCase()}|`);
  return task.resourceGroup
    ? `${subscription} and resourceGroupLower eq ${odataString(task.resourceGroup.toLowerCase())}`
    : subscription;
}
