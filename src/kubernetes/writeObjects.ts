import type { TableClient } from '@azure/data-tables';
import type { ChangeLog } from '../changes/ChangeLog';
import { readExisting, type ExistingRow } from '../scan/readExisting';
import { encodeSeenKeys } from '../scan/seenKeys';
import { writeRows } from '../scan/writeRows';
import { entityToResource, primaryEntity, type TableEntity } from '../storage/resourceEntity';
import { upsertInBatches } from '../storage/tables';
import type { MappedObject } from './mapKubernetesObject';
import type { PodSum } from './sumPods';

/**
 * Columns of a Kubernetes row that move all the time (ready counts, restarts): shown among the
 * properties (src/storage/resourceEntity.ts folds them in), never part of the content hash, so a
 * pod restarting does not make its workload "modified".
 */
export const LIVE_COLUMN = 'k8sLive';
export const PODS_COLUMN = 'k8sPods';

interface StoredRow extends ExistingRow {
  k8sLive?: string;
  k8sPods?: string;
}

/** The live columns, read with what every writer compares. */
const LIVE_COLUMNS = [LIVE_COLUMN, PODS_COLUMN];

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
  const { added, modified } = await writeRows({
    resources: deps.resources,
    changes: deps.changes,
    scan: { scanId, baseline },
    subscriptionId,
    at: seenAt,
    rows: drafts.map((draft, i) => {
      const { item } = mapped[i] as MappedObject;
      return { draft, item, type: item.type };
    }),
    existing: await readExisting<StoredRow>(deps.resources, drafts, LIVE_COLUMNS),
    sameExtras: (draft, before) => draft[LIVE_COLUMN] === undefined || draft[LIVE_COLUMN] === before?.k8sLive,
    comparable: withoutLive,
  });
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
  const existing = await readExisting<StoredRow>(deps.resources, sums, LIVE_COLUMNS);
  const writes: TableEntity[] = [];
  for (const s of sums) {
    const before = existing.get(s.rowKey);
    if (!before?.id) continue;
    const { owner: _owner, ...counts } = s.sum;
    const json = JSON.stringify(counts);
    if (before.k8sPods !== json)
      writes.push({ partitionKey: s.partitionKey, rowKey: s.rowKey, [PODS_COLUMN]: json });
  }
  await upsertInBatches(deps.resources, writes);
  return writes.length;
}
