import type { ChangeItem } from '../changes/ChangeItem';
import { findDedicated } from '../discovery/registry';
import { odataString, prefixEnd, prefixFilter } from '../storage/keys';
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

/** A stored row as removal reads it. */
interface ScopeRow {
  partitionKey: string;
  rowKey: string;
  id?: string;
  name?: string;
  type?: string;
  lastSeenAt?: string;
  statusSeenAt?: string;
}

const SCOPE_COLUMNS = ['PartitionKey', 'RowKey', 'id', 'name', 'type', 'lastSeenAt', 'statusSeenAt'];

async function* readRows(ctx: ScanContext, filter: string): AsyncGenerator<ScopeRow> {
  for await (const e of ctx.deps.tables.resources.listEntities<Omit<ScopeRow, 'partitionKey' | 'rowKey'>>({
    queryOptions: { filter, select: SCOPE_COLUMNS },
  }))
    yield e as ScopeRow;
}

/** What the pages of a task (its own, or its chain's) listed: their seen keys. */
async function seenOf(ctx: ScanContext, scanId: string, task: TaskRow): Promise<Set<string>> {
  // A task of one page carries its page's seen keys (processPage); a task of a Resource Graph chain
  // was listed by its chain's pages, whose markers are the lead task's; any other reads its markers.
  return !task.chain && task.pages === 1 && task.seen !== undefined
    ? seenKeySet([task.seen])
    : seenOfPages(ctx, scanId, task.chain ?? task.taskId);
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
  /** The seen keys of the task's pages, when the caller read them (a chain's, once for its tasks). */
  seenKeys?: Promise<Set<string>>,
): Promise<Removal> {
  const seen = await (seenKeys ?? seenOf(ctx, scan.scanId, task));
  const inventory = isInventoryTask(task);
  return removeGone(
    ctx,
    scan,
    task,
    tasks,
    seen,
    readRows(ctx, inventory ? inventoryFilter(task) : taskScopeFilter(task)),
  );
}

/**
 * The removals of a Resource Graph chain's clean tasks. The chain's page markers (its seen keys)
 * are read once for all its tasks. A chain over several subscriptions (small ones batched with
 * every type they hold) reads their rows in ONE range query (from the first subscription's
 * PartitionKeys to the last's), each row going to the task whose scope holds it (rows of other
 * tasks, such as a site's, are left); a chain of one subscription (a big one, split by type) reads
 * each task's own scope, as its subscription's other types belong to other chains.
 */
export function removeUnseenOfChain(
  ctx: ScanContext,
  scan: ScanRow,
  lead: string,
  clean: TaskRow[],
  tasks: TaskRow[],
): Array<() => Promise<Array<Removal & { task: TaskRow }>>> {
  let seen: Promise<Set<string>> | undefined;
  const seenOnce = () => (seen ??= seenOfPages(ctx, scan.scanId, lead));
  const subscriptions = [...new Set(clean.map((t) => t.subscriptionId.toLowerCase()))].sort();
  if (subscriptions.length < 2)
    return clean.map((task) => async () => [
      { task, ...(await removeUnseen(ctx, scan, task, tasks, seenOnce())) },
    ]);
  return [
    async () => {
      const byScope = new Map(clean.map((t) => [taskScope(t), { task: t, rows: [] as ScopeRow[] }]));
      const first = `${subscriptions[0]}|`;
      const last = `${subscriptions[subscriptions.length - 1]}|`;
      for await (const row of readRows(
        ctx,
        `PartitionKey ge ${odataString(first)} and PartitionKey lt ${odataString(prefixEnd(last))}`,
      )) {
        const [typePrefix] = scopesOfPartition(row.partitionKey);
        const owner = byScope.get(row.partitionKey) ?? (typePrefix ? byScope.get(typePrefix) : undefined);
        owner?.rows.push(row);
      }
      const keys = await seenOnce();
      const out: Array<Removal & { task: TaskRow }> = [];
      for (const { task, rows } of byScope.values())
        out.push({ task, ...(await removeGone(ctx, scan, task, tasks, keys, rows)) });
      return out;
    },
  ];
}

/** The seen keys of the page markers kept under `taskId` (a chain's are its lead's). */
async function seenOfPages(ctx: ScanContext, scanId: string, taskId: string): Promise<Set<string>> {
  return seenKeySet((await ctx.deps.store.listPageMarkers(scanId, taskId)).map((m) => m.seen));
}

/** The rows of a task's scope none of its pages listed, removed with their change items. */
async function removeGone(
  ctx: ScanContext,
  scan: ScanRow,
  task: TaskRow,
  tasks: TaskRow[],
  seen: Set<string>,
  rows: AsyncIterable<ScopeRow> | Iterable<ScopeRow>,
): Promise<Removal> {
  const { tables } = ctx.deps;
  const scanId = scan.scanId;
  const inventory = isInventoryTask(task);
  const scopes = new Set<string>(inventory ? [] : [taskScope(task)]);
  const gone: Array<{ partitionKey: string; rowKey: string; id?: string; name?: string; type?: string }> = [];
  for await (const e of rows) {
    const partitionKey = e.partitionKey;
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
    if (seen.has(seenKeyOf(e.rowKey))) continue;
    const written = [e.lastSeenAt, e.statusSeenAt]
      .filter((t): t is string => Boolean(t))
      .sort()
      .pop();
    if (written && written >= scan.startedAt) continue;
    gone.push({ partitionKey, rowKey: e.rowKey, id: e.id, name: e.name, type: e.type });
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
