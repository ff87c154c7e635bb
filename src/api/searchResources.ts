import type { TableClient } from '@azure/data-tables';
import pLimit from 'p-limit';
import type { Resource } from '../discovery/Resource';
import { entityToResource } from '../storage/resourceEntity';
import { getEntityOrUndefined } from '../storage/tables';

/** A matching row before it is read in full: what the scan selects, and its rank. */
interface Match {
  partitionKey: string;
  rowKey: string;
  name: string;
  rank: number;
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
 * The best `limit` resources whose name, id or type contains `text` (case-insensitive), under an
 * optional OData filter. Table Storage has no substring operator, so the scan asks only for the
 * three columns it compares (a few dozen bytes a row instead of the properties, which can be
 * kilobytes) and reads in full only the rows it answers with.
 */
export async function searchResources(
  table: TableClient,
  filter: string,
  text: string,
  limit: number,
): Promise<Array<{ resource: Resource; partitionKey: string }>> {
  const needle = text.toLowerCase();
  const matches: Match[] = [];
  const rows = table.listEntities<{ id?: string; name?: string; type?: string }>({
    queryOptions: { ...(filter ? { filter } : {}), select: ['PartitionKey', 'RowKey', 'id', 'name', 'type'] },
  });
  for await (const e of rows) {
    if (typeof e.id !== 'string' || !e.id) continue;
    const name = typeof e.name === 'string' ? e.name : '';
    const rank = searchRank(needle, name, e.id, typeof e.type === 'string' ? e.type : '');
    if (rank !== undefined)
      matches.push({ partitionKey: e.partitionKey as string, rowKey: e.rowKey as string, name, rank });
  }
  matches.sort((a, b) => a.rank - b.rank || a.name.length - b.name.length || a.name.localeCompare(b.name));
  const read = pLimit(READ_CONCURRENCY);
  const entities = await Promise.all(
    matches.slice(0, limit).map((m) => read(() => getEntityOrUndefined(table, m.partitionKey, m.rowKey))),
  );
  // A row deleted between the scan and its read is simply not an answer any more.
  return entities.flatMap((e) =>
    e && typeof e.id === 'string' && e.id
      ? [{ resource: entityToResource(e), partitionKey: e.partitionKey as string }]
      : [],
  );
}
