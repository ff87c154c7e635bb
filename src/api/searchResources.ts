import type { TableClient } from '@azure/data-tables';
import pLimit from 'p-limit';
import type { Resource } from '../discovery/Resource';
import { entityToResource } from '../storage/resourceEntity';
import { getEntityOrUndefined } from '../storage/tables';

/** What the search compares of a row: its keys, id, name and type (a few dozen bytes). */
export interface SearchRow {
  partitionKey: string;
  rowKey: string;
  id: string;
  name: string;
  type: string;
}

/**
 * How well a row matches, lower is better, or undefined for no match: the name exactly, the name's
 * start, anywhere in the name, then anywhere in the id, then in the type. `needle` is lower-case.
 */
export function searchRank(needle: string, name: string, id: string, type: string): number | undefined {
  const n = name.toLowerCase();
  if (n === needle) return 0;
  if (n.startsWith(needle)) return 1;
  if (n.includes(needle)) return 2;
  if (id.toLowerCase().includes(needle)) return 3;
  if (type.toLowerCase().includes(needle)) return 4;
  return undefined;
}

/** Full rows read at once for the best matches (point reads, one round trip each). */
const READ_CONCURRENCY = 8;

/**
 * Every row under an optional OData filter, with only the columns the search compares: Table
 * Storage has no substring operator, so the search scans, asking for three columns instead of the
 * properties (which can be kilobytes a row).
 */
export async function readSearchRows(table: TableClient, filter: string): Promise<SearchRow[]> {
  const rows: SearchRow[] = [];
  const entities = table.listEntities<{ id?: string; name?: string; type?: string }>({
    queryOptions: { ...(filter ? { filter } : {}), select: ['PartitionKey', 'RowKey', 'id', 'name', 'type'] },
  });
  for await (const e of entities) {
    if (typeof e.id !== 'string' || !e.id) continue;
    rows.push({
      partitionKey: e.partitionKey as string,
      rowKey: e.rowKey as string,
      id: e.id,
      name: typeof e.name === 'string' ? e.name : '',
      type: typeof e.type === 'string' ? e.type : '',
    });
  }
  return rows;
}

/**
 * The best `limit` of the rows whose name, id or type contains `text` (case-insensitive), read in
 * full: only the rows answered with are read whole.
 */
export async function searchResources(
  table: TableClient,
  rows: readonly SearchRow[],
  text: string,
  limit: number,
): Promise<Array<{ resource: Resource; partitionKey: string }>> {
  const needle = text.toLowerCase();
  const matches: Array<{ row: SearchRow; rank: number }> = [];
  for (const row of rows) {
    const rank = searchRank(needle, row.name, row.id, row.type);
    if (rank !== undefined) matches.push({ row, rank });
  }
  matches.sort(
    (a, b) =>
      a.rank - b.rank || a.row.name.length - b.row.name.length || a.row.name.localeCompare(b.row.name),
  );
  const read = pLimit(READ_CONCURRENCY);
  const entities = await Promise.all(
    matches
      .slice(0, limit)
      .map((m) => read(() => getEntityOrUndefined(table, m.row.partitionKey, m.row.rowKey))),
  );
  // A row deleted between the scan and its read is simply not an answer any more.
  return entities.flatMap((e) =>
    e && typeof e.id === 'string' && e.id
      ? [{ resource: entityToResource(e), partitionKey: e.partitionKey as string }]
      : [],
  );
}
