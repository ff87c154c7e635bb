import type { ChangeItem } from '../changes/ChangeItem';
import { deleteInBatches } from '../storage/tables';
import type { ScanRow, TaskRow } from './ScanRecords';
import type { ScanContext } from './ScanContext';
import { seenKeyOf, seenKeySet } from './seenKeys';
import { taskScopeFilter } from './taskScope';

/**
 * Rows of the task's partitions that none of its pages listed: removed from Azure. A row another
 * scan running alongside wrote after this one started is present, not removed. Called only for
 * a task that listed its whole scope cleanly.
 */
export async function removeUnseen(ctx: ScanContext, scan: ScanRow, task: TaskRow): Promise<number> {
  const { tables, store } = ctx.deps;
  const scanId = scan.scanId;
  const seen = seenKeySet((await store.listPageMarkers(scanId, task.taskId)).map((m) => m.seen));
  const filter = taskScopeFilter(task);
  const gone: Array<{ partitionKey: string; rowKey: string; id?: string; name?: string }> = [];
  for await (const e of tables.resources.listEntities<{
    id?: string;
    name?: string;
    lastSeenAt?: string;
    statusSeenAt?: string;
  }>({
    queryOptions: {
      filter,
      select: ['PartitionKey', 'RowKey', 'id', 'name', 'lastSeenAt', 'statusSeenAt'],
    },
  })) {
    if (seen.has(seenKeyOf(e.rowKey as string))) continue;
    const written = [e.lastSeenAt, e.statusSeenAt]
      .filter((t): t is string => Boolean(t))
      .sort()
      .pop();
    if (written && written >= scan.startedAt) continue;
    gone.push({
      partitionKey: e.partitionKey as string,
      rowKey: e.rowKey as string,
      id: e.id,
      name: e.name,
    });
  }
  if (!gone.length) return 0;
  const at = ctx.now().toISOString();
  const records: ChangeItem[] = gone
    .filter((g) => g.id)
    .map((g) => ({
      scanId,
      at,
      kind: 'removed',
      resourceId: g.id as string,
      name: g.name ?? '',
      type: task.resourceType,
      subscriptionId: task.subscriptionId,
    }));
  await ctx.changeLog.record(records);
  await deleteInBatches(tables.resources, gone);
  return records.length;
}
