import type { TableClient } from '@azure/data-tables';
import pLimit from 'p-limit';
import type { ChangeItem } from '../changes/ChangeItem';
import type { ChangeLog } from '../changes/ChangeLog';
import { diffContent } from '../changes/diffContent';
import type { DiscoveredItem } from '../discovery/Resource';
import { compareRow } from '../scan/compareRow';
import { encodeSeenKeys } from '../scan/seenKeys';
import { odataString } from '../storage/keys';
import { entityToResource, primaryEntity, type TableEntity } from '../storage/resourceEntity';
import { getEntityOrUndefined, upsertInBatches } from '../storage/tables';
import type { MappedObject } from './mapKubernetesObject';
import type { PodSum } from './sumPods';

/**
 * Columns of a Kubernetes row that move all the time (ready counts, restarts): shown among the
 * properties (src/storage/resourceEntity.ts folds them in), never part of the content hash, so a
 * pod restarting does not make its workload "modified".
 */
export const LIVE_COLUMN = 'k8sLive';
export const PODS_COLUMN = 'k8sPods';

interface StoredRow {
  id?: string;
  hash?: string;
  discoveredAt?: string;
  firstSeenAt?: string;
  scanId?: string;
  changeKind?: string;
  status?: string;
  k8sLive?: string;
  k8sPods?: string;
}

const SELECT = [
  'PartitionKey',
  'RowKey',
  'id',
  'hash',
  'discoveredAt',
  'firstSeenAt',
  'scanId',
  'changeKind',
  'status',
  LIVE_COLUMN,
  PODS_COLUMN,
];

/**
 * The stored rows for some keys: one range read per partition over the keys' span (a page of one
 * kind of one cluster is one partition and a contiguous run of RowKeys, as the API lists in name
 * order), point reads for what a range leaves out. Bounded by the page.
 */
async function readStored(
  table: TableClient,
  keys: Array<{ partitionKey: string; rowKey: string }>,
): Promise<Map<string, StoredRow>> {
  const found = new Map<string, StoredRow>();
  const byPartition = new Map<string, string[]>();
  for (const k of keys)
    byPartition.set(k.partitionKey, [...(byPartition.get(k.partitionKey) ?? []), k.rowKey]);
  const missing: Array<{ partitionKey: string; rowKey: string }> = [];
  await Promise.all(
    [...byPartition].map(async ([pk, rowKeys]) => {
      const sorted = [...rowKeys].sort();
      const wanted = new Set(sorted);
      const budget = sorted.length * 3 + 10;
      let read = 0;
      let last = '';
      const filter = `PartitionKey eq ${odataString(pk)} and RowKey ge ${odataString(sorted[0] as string)} and RowKey le ${odataString(sorted[sorted.length - 1] as string)}`;
      for await (const e of table.listEntities<StoredRow>({ queryOptions: { filter, select: SELECT } })) {
        if (wanted.has(e.rowKey as string)) found.set(`${pk}\n${e.rowKey as string}`, e);
        last = e.rowKey as string;
        if (++read >= budget) break;
      }
      if (read >= budget)
        for (const rk of sorted) if (rk > last) missing.push({ partitionKey: pk, rowKey: rk });
    }),
  );
  const limit = pLimit(16);
  await Promise.all(
    missing.map((k) =>
      limit(async () => {
        const e = await getEntityOrUndefined<StoredRow>(table, k.partitionKey, k.rowKey);
        if (e) found.set(`${k.partitionKey}\n${k.rowKey}`, e);
      }),
    ),
  );
  return found;
}

/** A stored row as the change history compares it: without the live columns. */
function withoutLive(entity: Record<string, unknown>) {
  const { [LIVE_COLUMN]: _l, [PODS_COLUMN]: _p, ...rest } = entity;
  return entityToResource(rest);
}

export interface WriteDeps {
  resources: TableClient;
  changes: ChangeLog;
  now: () => Date;
}

/**
 * A page of Kubernetes objects into `resources`, the way a scan writes any resource: added and
 * modified told by the content hash and recorded in the change history (with what changed),
 * unchanged rows not rewritten, a retry of the same scan counting the same. Returns the page's
 * seen keys for finalize's removals.
 */
export async function writeObjects(
  deps: WriteDeps,
  scanId: string,
  subscriptionId: string,
  mapped: MappedObject[],
  /** The scan is the subscription's first: new objects are its baseline, not `added`. */
  baseline = false,
): Promise<{ items: number; added: number; modified: number; seen: string }> {
  const seenAt = deps.now().toISOString();
  const drafts = mapped.map(({ item, live }) => {
    const draft = primaryEntity(item, { scanId, seenAt, canonicalType: item.type });
    if (live) draft[LIVE_COLUMN] = JSON.stringify(live);
    return draft;
  });
  const existing = await readStored(deps.resources, drafts);
  let added = 0;
  let modified = 0;
  const writes: TableEntity[] = [];
  const changes: ChangeItem[] = [];
  const toDiff: Array<{ draft: TableEntity; item: DiscoveredItem; change: ChangeItem }> = [];
  drafts.forEach((draft, i) => {
    const item = (mapped[i] as MappedObject).item;
    const before = existing.get(`${draft.partitionKey}\n${draft.rowKey}`);
    const { kind, retried, unchanged } = compareRow(
      before,
      draft,
      { scanId, baseline },
      draft[LIVE_COLUMN] === undefined || draft[LIVE_COLUMN] === before?.k8sLive,
    );
    if (kind === 'added') added++;
    else if (kind === 'modified') modified++;
    if (unchanged) return;
    writes.push(draft);
    if (!kind || retried) return;
    const change: ChangeItem = {
      scanId,
      at: seenAt,
      kind,
      resourceId: item.id,
      type: item.type,
      name: item.name,
      subscriptionId,
    };
    changes.push(change);
    if (kind === 'modified') toDiff.push({ draft, item, change });
  });
  await Promise.all(
    toDiff.map(async ({ draft, item, change }) => {
      const old = await getEntityOrUndefined(deps.resources, draft.partitionKey, draft.rowKey);
      if (old) change.paths = diffContent(withoutLive(old), item);
    }),
  );
  // Changes first: a retry after the rows are written finds them and does not record them again.
  await deps.changes.record(changes);
  await upsertInBatches(deps.resources, writes);
  return { items: mapped.length, added, modified, seen: encodeSeenKeys(drafts.map((d) => d.rowKey)) };
}

/**
 * Pod sums onto the workloads they belong to: only onto rows that exist (a pod whose workload is
 * not kept adds nothing), and only where the sum moved. Never changes a hash or the history.
 */
export async function writePodSums(
  deps: WriteDeps,
  sums: Array<{ partitionKey: string; rowKey: string; sum: PodSum }>,
): Promise<number> {
  if (!sums.length) return 0;
  const existing = await readStored(deps.resources, sums);
  const writes: TableEntity[] = [];
  for (const s of sums) {
    const before = existing.get(`${s.partitionKey}\n${s.rowKey}`);
    if (!before?.id) continue;
    const { owner: _owner, ...counts } = s.sum;
    const json = JSON.stringify(counts);
    if (before.k8sPods !== json)
      writes.push({ partitionKey: s.partitionKey, rowKey: s.rowKey, [PODS_COLUMN]: json });
  }
  await upsertInBatches(deps.resources, writes);
  return writes.length;
}
