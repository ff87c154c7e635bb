import type { TableClient } from '@azure/data-tables';
import { odataString, prefixEnd } from './keys';
import { deleteInBatches, getEntityOrUndefined } from './tables';

/**
 * The `tombstones` table: a resource an event deleted, keyed as its `resources` row
 * (PartitionKey and RowKey the same), with `deletedAt` (the delete event's time) and `id`. A scan
 * page listed before that time may still hold the resource; its write skips it (writeResources),
 * so the delete stands until a listing made after it. Kept a day, then removed by a finalize.
 */
export const TOMBSTONE_TTL_MS = 24 * 60 * 60 * 1000;

export interface Tombstone {
  partitionKey: string;
  rowKey: string;
  id: string;
  deletedAt: string;
}

/** Records a delete; a later delete of the same id moves the time forward, an older one never back. */
export async function recordTombstone(table: TableClient, tombstone: Tombstone): Promise<void> {
  const existing = await getEntityOrUndefined<{ deletedAt?: string }>(
    table,
    tombstone.partitionKey,
    tombstone.rowKey,
  );
  if (existing?.deletedAt && existing.deletedAt >= tombstone.deletedAt) return;
  await table.upsertEntity(tombstone, 'Replace');
}

/**
 * RowKeys of `rows` (all of one subscription) deleted by an event after `listedAt`: one query over
 * the subscription's tombstones, which are few (a day of deletes at most).
 */
export async function tombstonedSince(
  table: TableClient,
  subscriptionPrefix: string,
  rows: ReadonlyArray<{ partitionKey: string; rowKey: string }>,
  listedAt: string,
): Promise<Set<string>> {
  const out = new Set<string>();
  if (!rows.length || !listedAt) return out;
  const deleted = await tombstonesSince(
    table,
    { from: subscriptionPrefix, before: prefixEnd(subscriptionPrefix) },
    listedAt,
  );
  for (const r of rows) if (deleted.has(`${r.partitionKey}\n${r.rowKey}`)) out.add(r.rowKey);
  return out;
}

/**
 * The tombstones (`PartitionKey\nRowKey`) of a PartitionKey range (e.g. the subscriptions of a
 * Resource Graph page: one query for the page, not one per subscription) deleted after `listedAt`.
 */
export async function tombstonesSince(
  table: TableClient,
  range: { from: string; before: string },
  listedAt: string,
): Promise<Set<string>> {
  const out = new Set<string>();
  const filter =
    `PartitionKey ge ${odataString(range.from)} and PartitionKey lt ${odataString(range.before)}` +
    ` and deletedAt gt ${odataString(listedAt)}`;
  for await (const t of table.listEntities<Tombstone>({
    queryOptions: { filter, select: ['PartitionKey', 'RowKey'] },
  }))
    out.add(`${t.partitionKey}\n${t.rowKey}`);
  return out;
}

/** Removes the tombstones older than the TTL (a finalize's housekeeping; safe to repeat). */
export async function removeExpiredTombstones(table: TableClient, now: Date): Promise<number> {
  const before = new Date(now.getTime() - TOMBSTONE_TTL_MS).toISOString();
  const expired: Array<{ partitionKey: string; rowKey: string }> = [];
  for await (const t of table.listEntities<Tombstone>({
    queryOptions: { filter: `deletedAt lt ${odataString(before)}`, select: ['PartitionKey', 'RowKey'] },
  }))
    expired.push({ partitionKey: t.partitionKey, rowKey: t.rowKey });
  await deleteInBatches(table, expired);
  return expired.length;
}
