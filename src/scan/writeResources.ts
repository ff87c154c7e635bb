import type { ChangeItem } from '../changes/ChangeItem';
import { diffContent } from '../changes/diffContent';
import type { DiscoveredItem } from '../discovery/Resource';
import { entityToResource, primaryEntity, stateEntity, type TableEntity } from '../storage/resourceEntity';
import { resourceRowKey } from '../storage/keys';
import { getEntityOrUndefined, upsertInBatches } from '../storage/tables';
import { tombstonedSince } from '../storage/tombstones';
import type { PageMessage } from './messages';
import { compareRow } from './compareRow';
import { readExisting } from './readExisting';
import type { ScanContext } from './ScanContext';
import { encodeSeenKeys } from './seenKeys';

export interface WriteOptions {
  /** The type a row is stored under: the dedicated discoverer's spelling, or the item's own. */
  typeOf: (item: DiscoveredItem) => string;
  /** The canonical type stamped on rows whose item names none. */
  canonicalType: string;
  /** When the page was listed (ISO): its rows' refreshedAt, and what an event's re-read must beat. */
  listedAt?: string;
}

/**
 * A page's resources: compared with what is stored, changed rows upserted and their changes
 * recorded, unchanged rows left alone. Safe to retry: a row this scan already wrote keeps the
 * change that attempt found.
 */
export async function writeResources(
  ctx: ScanContext,
  msg: PageMessage,
  items: DiscoveredItem[],
  stateOnly: DiscoveredItem[],
  options: WriteOptions,
): Promise<{ added: number; modified: number; seen: string }> {
  const { tables } = ctx.deps;
  const seenAt = ctx.now().toISOString();
  const { typeOf } = options;
  const listedAt = options.listedAt ?? '';
  const stamp = {
    scanId: msg.scanId,
    seenAt,
    canonicalType: options.canonicalType,
    readAt: listedAt || seenAt,
  };
  const drafts = items.map((item) => primaryEntity(item, { ...stamp, canonicalType: typeOf(item) }));
  const states = stateOnly.map((i) => stateEntity(i, { ...stamp, canonicalType: typeOf(i) }));
  const existing = await readExisting(tables.resources, [...drafts, ...states]);
  let writes: TableEntity[] = [];
  let changes: ChangeItem[] = [];
  let toDiff: Array<{ draft: TableEntity; item: DiscoveredItem; change: ChangeItem }> = [];
  /** What this page found of each row it counts (a retry counts what its first attempt found). */
  const found = new Map<string, 'added' | 'modified'>();
  drafts.forEach((draft, i) => {
    const before = existing.get(draft.rowKey);
    const item = items[i] as DiscoveredItem;
    // An event re-read it after this page was listed (src/events): the row is newer than the page.
    if (before?.refreshedAt && before.scanId !== msg.scanId && before.refreshedAt > listedAt) return;
    const { kind, retried, unchanged } = compareRow(
      before,
      draft,
      msg,
      draft.powerState === undefined || draft.powerState === before?.powerState,
    );
    if (kind) found.set(draft.rowKey, kind);
    if (unchanged) return;
    writes.push(draft);
    if (!kind || retried) return;
    const change: ChangeItem = {
      scanId: msg.scanId,
      at: seenAt,
      kind,
      resourceId: item.id,
      type: typeOf(item),
      name: item.name,
      subscriptionId: msg.subscriptionId,
    };
    changes.push(change);
    if (kind === 'modified') toDiff.push({ draft, item, change });
  });
  for (const s of states) {
    const before = existing.get(s.rowKey);
    if (!before || before.status !== s.status || (s.powerState && before.powerState !== s.powerState))
      writes.push(s);
  }
  // An event deleted it after this page was listed (src/events): the delete stands, nothing is
  // written back nor recorded as added. (Asked only when the page writes something.)
  const deleted = await tombstonedSince(
    tables.tombstones,
    `${msg.subscriptionId.toLowerCase()}|`,
    writes,
    listedAt,
  );
  if (deleted.size) {
    writes = writes.filter((w) => !deleted.has(w.rowKey));
    changes = changes.filter((c) => !deleted.has(resourceRowKey(c.resourceId)));
    toDiff = toDiff.filter((d) => !deleted.has(d.draft.rowKey));
    for (const rowKey of deleted) found.delete(rowKey);
  }
  const counted = [...found.values()];
  const added = counted.filter((k) => k === 'added').length;
  const modified = counted.length - added;
  // What changed, against the stored version: one point read per modified row (few per scan).
  await Promise.all(
    toDiff.map(async ({ draft, item, change }) => {
      const old = await getEntityOrUndefined(tables.resources, draft.partitionKey, draft.rowKey);
      if (old) change.paths = diffContent(entityToResource(old), item);
    }),
  );
  // Changes first: a retry after the rows are written finds them and does not record them again.
  await ctx.changeLog.record(changes);
  await upsertInBatches(tables.resources, writes);
  return { added, modified, seen: encodeSeenKeys(drafts.map((d) => d.rowKey)) };
}
