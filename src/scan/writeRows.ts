import type { TableClient } from '@azure/data-tables';
import type { ChangeItem } from '../changes/ChangeItem';
import type { ChangeLog } from '../changes/ChangeLog';
import { diffContent } from '../changes/diffContent';
import type { DiscoveredItem, Resource } from '../discovery/Resource';
import { entityToResource, type TableEntity } from '../storage/resourceEntity';
import { resourceRowKey } from '../storage/keys';
import { getEntityOrUndefined, upsertInBatches } from '../storage/tables';
import { compareRow } from './compareRow';
import type { ExistingRow } from './readExisting';

/** One drafted row of a page, the item it was drafted from, and the type its change item names. */
export interface DraftedRow {
  draft: TableEntity;
  item: DiscoveredItem;
  type: string;
}

export interface WriteRowsInput<Row extends ExistingRow> {
  resources: TableClient;
  changes: ChangeLog;
  scan: { scanId: string; baseline?: boolean };
  subscriptionId: string;
  /** The page's write time (ISO): its change items' `at`. */
  at: string;
  rows: DraftedRow[];
  /** What is stored for the rows, by RowKey (readExisting). */
  existing: Map<string, Row>;
  /** Columns besides content and status whose change alone makes the row worth writing. */
  sameExtras(draft: TableEntity, before: Row | undefined): boolean;
  /** A row to leave alone whatever it holds (an event re-read it after the page was listed). */
  keep?(before: Row | undefined): boolean;
  /** The stored version as the change's diff compares it (default: the whole row). */
  comparable?(stored: Record<string, unknown>): Resource;
  /** Rows written besides the drafts (a state listing's status rows), after the changes. */
  alsoWrite?: TableEntity[];
  /**
   * RowKeys among the rows about to be written that must not be written back: an event deleted
   * them after the page was listed (src/events). Asked only when the page writes something.
   */
  deletedSince?(rows: TableEntity[]): Promise<Set<string>>;
}

/**
 * The one writer of `resources` for a page (a scan's listing page, a Kubernetes page): each
 * drafted row compared with what is stored (compareRow), the changed ones upserted in per-partition
 * transactions, their added / modified change items recorded with what changed, unchanged rows
 * left alone. The changes go first: a retry after the rows are written finds them (its rows carry
 * this scan's id) and does not record them again.
 */
export async function writeRows<Row extends ExistingRow>(
  input: WriteRowsInput<Row>,
): Promise<{ added: number; modified: number }> {
  const { scan, existing } = input;
  /** What this page found of each row it counts (a retry counts what its first attempt found). */
  const found = new Map<string, 'added' | 'modified'>();
  let writes: TableEntity[] = [];
  let changes: ChangeItem[] = [];
  let toDiff: Array<{ draft: TableEntity; item: DiscoveredItem; change: ChangeItem }> = [];
  for (const { draft, item, type } of input.rows) {
    const before = existing.get(draft.rowKey);
    if (input.keep?.(before)) continue;
    const { kind, retried, unchanged } = compareRow(before, draft, scan, input.sameExtras(draft, before));
    if (kind) found.set(draft.rowKey, kind);
    if (unchanged) continue;
    writes.push(draft);
    if (!kind || retried) continue;
    const change: ChangeItem = {
      scanId: scan.scanId,
      at: input.at,
      kind,
      resourceId: item.id,
      type,
      name: item.name,
      subscriptionId: input.subscriptionId,
    };
    changes.push(change);
    if (kind === 'modified') toDiff.push({ draft, item, change });
  }
  let alsoWrite = input.alsoWrite ?? [];
  const deleted = input.deletedSince && (await input.deletedSince([...writes, ...alsoWrite]));
  if (deleted?.size) {
    writes = writes.filter((w) => !deleted.has(w.rowKey));
    alsoWrite = alsoWrite.filter((w) => !deleted.has(w.rowKey));
    changes = changes.filter((c) => !deleted.has(resourceRowKey(c.resourceId)));
    toDiff = toDiff.filter((d) => !deleted.has(d.draft.rowKey));
    for (const rowKey of deleted) found.delete(rowKey);
  }
  const added = [...found.values()].filter((k) => k === 'added').length;
  const modified = found.size - added;
  // What changed, against the stored version: one point read per modified row (few per scan).
  const comparable = input.comparable ?? entityToResource;
  await Promise.all(
    toDiff.map(async ({ draft, item, change }) => {
      const old = await getEntityOrUndefined(input.resources, draft.partitionKey, draft.rowKey);
      if (old) change.paths = diffContent(comparable(old), item);
    }),
  );
  await input.changes.record(changes);
  await upsertInBatches(input.resources, [...writes, ...alsoWrite]);
  return { added, modified };
}
