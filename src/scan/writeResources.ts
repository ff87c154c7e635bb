import type { DiscoveredItem } from '../discovery/Resource';
import { primaryEntity, stateEntity, type TableEntity } from '../storage/resourceEntity';
import { tombstonedSince } from '../storage/tombstones';
import type { PageMessage } from './messages';
import { readExisting, type ExistingRow } from './readExisting';
import type { ScanContext } from './ScanContext';
import { encodeSeenKeys } from './seenKeys';
import { writeRows } from './writeRows';

export interface WriteOptions {
  /** The type a row is stored under: the dedicated discoverer's spelling, or the item's own. */
  typeOf: (item: DiscoveredItem) => string;
  /** The canonical type stamped on rows whose item names none. */
  canonicalType: string;
  /** When the page was listed (ISO): its rows' refreshedAt, and what an event's re-read must beat. */
  listedAt?: string;
  /**
   * What is stored for the rows, when the caller read it for a larger page (a Resource Graph page
   * reads its parts' rows in one query, readExistingInOneRange); else read here.
   */
  existing?: Map<string, ExistingRow>;
  /** RowKeys an event deleted after `listedAt`, when the caller asks for a larger page; else asked here. */
  deletedSince?(rows: TableEntity[]): Promise<Set<string>>;
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
  const existing = options.existing ?? (await readExisting(tables.resources, [...drafts, ...states]));
  const alsoWrite = states.filter((s) => {
    const before = existing.get(s.rowKey);
    return !before || before.status !== s.status || (s.powerState && before.powerState !== s.powerState);
  });
  const { added, modified } = await writeRows({
    resources: tables.resources,
    changes: ctx.changeLog,
    scan: msg,
    subscriptionId: msg.subscriptionId,
    at: seenAt,
    rows: drafts.map((draft, i) => {
      const item = items[i] as DiscoveredItem;
      return { draft, item, type: typeOf(item) };
    }),
    existing,
    sameExtras: (draft, before) => draft.powerState === undefined || draft.powerState === before?.powerState,
    // An event re-read it after this page was listed (src/events): the row is newer than the page.
    keep: (before) =>
      Boolean(before?.refreshedAt && before.scanId !== msg.scanId && before.refreshedAt > listedAt),
    alsoWrite,
    // An event deleted it after this page was listed (src/events): the delete stands, nothing is
    // written back nor recorded as added.
    deletedSince: (rows) =>
      options.deletedSince?.(rows) ??
      tombstonedSince(tables.tombstones, `${msg.subscriptionId.toLowerCase()}|`, rows, listedAt),
  });
  return { added, modified, seen: encodeSeenKeys(drafts.map((d) => d.rowKey)) };
}
