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

type RemovalWork = () => Promise<Array<Removal & { task: TaskRow }>>;

/** Azure allows 15 comparisons a filter: 7 PartitionKey ranges. */
const SCOPES_PER_QUERY = 7;

/**
 * The removals of a scan's clean tasks, as units of work whose reads are shared. A Resource Graph
 * chain's page markers (its seen keys) are read once for all its tasks. A chain over several
 * subscriptions (small ones batched with every type they hold) reads their rows in ONE range query
 * (removeUnseenOfChain). The other tasks of one subscription (a big subscription's chains, split by
 * type, and its listing tasks) read their scopes 7 to a query (removeUnseenTogether) instead of a
 * query and its pages each. An inventory task reads its own scope.
 */
export function removalWork(
  ctx: ScanContext,
  scan: ScanRow,
  clean: TaskRow[],
  tasks: TaskRow[],
): RemovalWork[] {
  const chains = new Map<string, TaskRow[]>();
  for (const t of clean)
    if (t.chain) {
      const group = chains.get(t.chain);
      if (group) group.push(t);
      else chains.set(t.chain, [t]);
    }
  const seenOfChain = new Map<string, Promise<Set<string>>>();
  const chainSeen = (lead: string) => () => {
    let seen = seenOfChain.get(lead);
    if (!seen) seenOfChain.set(lead, (seen = seenOfPages(ctx, scan.scanId, lead)));
    return seen;
  };
  const work: RemovalWork[] = [];
  const bySubscription = new Map<string, Array<{ task: TaskRow; seen: () => Promise<Set<string>> }>>();
  const pool = (task: TaskRow, seen: () => Promise<Set<string>>) => {
    const key = task.subscriptionId.toLowerCase();
    const list = bySubscription.get(key);
    if (list) list.push({ task, seen });
    else bySubscription.set(key, [{ task, seen }]);
  };
  for (const [lead, group] of chains) {
    if (new Set(group.map((t) => t.subscriptionId.toLowerCase())).size > 1)
      work.push(removeUnseenOfChain(ctx, scan, group, tasks, chainSeen(lead)));
    else for (const task of group) pool(task, chainSeen(lead));
  }
  for (const t of clean)
    if (t.chain) continue;
    else if (isInventoryTask(t))
      work.push(async () => [{ task: t, ...(await removeUnseen(ctx, scan, t, tasks)) }]);
    else pool(t, () => seenOf(ctx, scan.scanId, t));
  for (const list of bySubscription.values()) {
    const sorted = [...list].sort((a, b) => compare(taskScope(a.task), taskScope(b.task)));
    for (let i = 0; i < sorted.length; i += SCOPES_PER_QUERY)
      work.push(removeUnseenTogether(ctx, scan, sorted.slice(i, i + SCOPES_PER_QUERY), tasks));
  }
  return work;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The removals of a few clean tasks of one subscription in ONE query, their scopes' PartitionKey
 * ranges OR'd; each row goes to the task whose scope holds it, and each task keeps its own seen
 * keys and its own rule. Rows come partition by partition, so a task's rows are decided as they
 * come (only the gone ones are kept).
 */
function removeUnseenTogether(
  ctx: ScanContext,
  scan: ScanRow,
  entries: Array<{ task: TaskRow; seen: () => Promise<Set<string>> }>,
  tasks: TaskRow[],
): RemovalWork {
  return async () => {
    if (entries.length === 1) {
      const { task, seen } = entries[0] as (typeof entries)[number];
      return [{ task, ...(await removeUnseen(ctx, scan, task, tasks, seen())) }];
    }
    const byScope = new Map<string, { task: TaskRow; seen: Set<string>; gone: GoneRow[] }>();
    for (const e of entries) byScope.set(taskScope(e.task), { task: e.task, seen: await e.seen(), gone: [] });
    const filter = entries.map((e) => `(${taskScopeFilter(e.task)})`).join(' or ');
    for await (const row of readRows(ctx, filter)) {
      const owner = ownerOf(byScope, row.partitionKey);
      if (owner && isGone(scan, owner.seen, row)) owner.gone.push(goneRow(row));
    }
    const out: Array<Removal & { task: TaskRow }> = [];
    for (const [scope, { task, gone }] of byScope)
      out.push({ task, ...(await removeRows(ctx, scan, task, tasks, gone, [scope])) });
    return out;
  };
}

/**
 * A chain over several subscriptions reads their rows in ONE range query (from the first
 * subscription's PartitionKeys to the last's), each row going to the task whose scope holds it
 * (rows of other tasks, such as a site's, are left).
 */
function removeUnseenOfChain(
  ctx: ScanContext,
  scan: ScanRow,
  clean: TaskRow[],
  tasks: TaskRow[],
  seenOnce: () => Promise<Set<string>>,
): RemovalWork {
  const subscriptions = [...new Set(clean.map((t) => t.subscriptionId.toLowerCase()))].sort();
  return async () => {
    const byScope = new Map(clean.map((t) => [taskScope(t), { task: t, rows: [] as ScopeRow[] }]));
    const first = `${subscriptions[0]}|`;
    const last = `${subscriptions[subscriptions.length - 1]}|`;
    for await (const row of readRows(
      ctx,
      `PartitionKey ge ${odataString(first)} and PartitionKey lt ${odataString(prefixEnd(last))}`,
    )) {
      const owner = ownerOf(byScope, row.partitionKey);
      owner?.rows.push(row);
    }
    const keys = await seenOnce();
    const out: Array<Removal & { task: TaskRow }> = [];
    for (const { task, rows } of byScope.values())
      out.push({ task, ...(await removeGone(ctx, scan, task, tasks, keys, rows)) });
    return out;
  };
}

/** The entry of the task whose scope holds a partition: its resource group's, else its type's. */
function ownerOf<T>(byScope: Map<string, T>, partitionKey: string): T | undefined {
  const [typePrefix] = scopesOfPartition(partitionKey);
  return byScope.get(partitionKey) ?? (typePrefix ? byScope.get(typePrefix) : undefined);
}

/** The seen keys of the page markers kept under `taskId` (a chain's are its lead's). */
async function seenOfPages(ctx: ScanContext, scanId: string, taskId: string): Promise<Set<string>> {
  return seenKeySet((await ctx.deps.store.listPageMarkers(scanId, taskId)).map((m) => m.seen));
}

type GoneRow = { partitionKey: string; rowKey: string; id?: string; name?: string; type?: string };

/** A row none of the task's pages listed, and no scan wrote since this one started. */
function isGone(scan: ScanRow, seen: Set<string>, e: ScopeRow): boolean {
  if (seen.has(seenKeyOf(e.rowKey))) return false;
  const written = [e.lastSeenAt, e.statusSeenAt]
    .filter((t): t is string => Boolean(t))
    .sort()
    .pop();
  return !(written && written >= scan.startedAt);
}

function goneRow(e: ScopeRow): GoneRow {
  return { partitionKey: e.partitionKey, rowKey: e.rowKey, id: e.id, name: e.name, type: e.type };
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
  const inventory = isInventoryTask(task);
  const scopes = new Set<string>(inventory ? [] : [taskScope(task)]);
  const gone: GoneRow[] = [];
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
    if (isGone(scan, seen, e)) gone.push(goneRow(e));
  }
  return removeRows(ctx, scan, task, tasks, gone, [...scopes]);
}

/** A task's gone rows removed: what extensions keep under them first, then their change items. */
async function removeRows(
  ctx: ScanContext,
  scan: ScanRow,
  task: TaskRow,
  tasks: TaskRow[],
  gone: GoneRow[],
  scopes: string[],
): Promise<Removal> {
  if (!gone.length) return { removed: 0, scopes };
  const inventory = isInventoryTask(task);
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
      scanId: scan.scanId,
      at,
      kind: 'removed',
      resourceId: g.id as string,
      name: g.name ?? '',
      type: inventory ? (g.type ?? '') : task.resourceType,
      subscriptionId: task.subscriptionId,
    }));
  await ctx.changeLog.record(records);
  await deleteInBatches(ctx.deps.tables.resources, gone);
  return { removed: records.length, scopes };
}

function inventoryFilter(task: TaskRow): string {
  const subscription = prefixFilter('PartitionKey', `${task.subscriptionId.toLowerCase()}|`);
  return task.resourceGroup
    ? `${subscription} and resourceGroupLower eq ${odataString(task.resourceGroup.toLowerCase())}`
    : subscription;
}
