import type { TableClient } from '@azure/data-tables';
import pLimit from 'p-limit';
import { odataString, prefixEnd } from '../storage/keys';
import type { TableEntity } from '../storage/resourceEntity';
import { getEntityOrUndefined } from '../storage/tables';
import type { StoredRowState } from './compareRow';

/** A row's keys. */
type Key = Pick<TableEntity, 'partitionKey' | 'rowKey'>;

/** Concurrent point reads per page, when a range read does not cover the page. */
const READ_CONCURRENCY = 16;

/** What a stored row holds of the columns every writer compares, and the scan's own. */
export interface ExistingRow extends StoredRowState {
  powerState?: string;
  /** Last read from Azure (a scan's write or an event's refresh). */
  refreshedAt?: string;
}

/** The columns every writer compares. */
const COMPARED_COLUMNS = [
  'PartitionKey',
  'RowKey',
  'id',
  'hash',
  'discoveredAt',
  'firstSeenAt',
  'scanId',
  'changeKind',
  'status',
  'powerState',
  'refreshedAt',
];

/** Rows grouped by their (subscription, type) PartitionKey prefix. */
function byTypePrefix<K extends Pick<TableEntity, 'partitionKey'>>(rows: ReadonlyArray<K>): Map<string, K[]> {
  const out = new Map<string, K[]>();
  for (const r of rows) {
    const prefix = typePrefixOf(r.partitionKey);
    const list = out.get(prefix);
    if (list) list.push(r);
    else out.set(prefix, [r]);
  }
  return out;
}

/** The part of a resources PartitionKey shared by every partition of its (subscription, type). */
function typePrefixOf(partitionKey: string): string {
  const i = partitionKey.indexOf('~');
  return i < 0 ? partitionKey : partitionKey.slice(0, i + 1);
}

/**
 * The escaped id of the resource every row is under (`<parent RowKey>|`, a Kubernetes cluster's
 * objects), when the rows' RowKeys share one; else undefined.
 */
function commonParentPrefix(rows: ReadonlyArray<Key>): string | undefined {
  const { minRk: min, maxRk: max } = keyBounds(rows);
  let i = 0;
  while (i < min.length && i < max.length && min[i] === max[i]) i++;
  const prefix = min.slice(0, min.lastIndexOf('|', i - 1) + 1);
  // `|subscriptions|<s>|resourcegroups|<g>|providers|<namespace>|<type>|<name>|` at least
  const parts = prefix.split('|');
  return parts.length >= 10 && parts[1] === 'subscriptions' && parts[5] === 'providers' ? prefix : undefined;
}

/**
 * What is stored for a page's rows, to tell added from modified. Rows of several types under one
 * parent resource (a Kubernetes cluster's objects: their RowKeys start with the cluster's id) are
 * read in ONE query, the box from their least to greatest PartitionKey and RowKey, which holds only
 * that parent's rows of the types in between. Otherwise listings come back in id order, so one
 * range query over the page's (subscription, type) partitions and its first to last RowKey usually
 * covers the page, whatever resource groups it spans; if the range holds many more rows than the
 * page (another order), the rest is read by point reads. Bounded either way.
 */
export async function readExisting<Row extends ExistingRow = ExistingRow>(
  table: TableClient,
  drafts: ReadonlyArray<Pick<TableEntity, 'partitionKey' | 'rowKey'>>,
  /** Columns to read besides the ones every writer compares (Kubernetes' live counts). */
  extraColumns: readonly string[] = [],
): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  if (!drafts.length) return found;
  const byType = byTypePrefix(drafts);
  if (byType.size > 1 && commonParentPrefix(drafts)) {
    await readRange(table, boxFilter(drafts), drafts, found, extraColumns);
    return found;
  }
  return readByType<Row>(table, drafts, extraColumns);
}

/** One range query per (subscription, type) of the rows; past a range's budget, point reads. */
async function readByType<Row extends ExistingRow = ExistingRow>(
  table: TableClient,
  drafts: ReadonlyArray<Pick<TableEntity, 'partitionKey' | 'rowKey'>>,
  extraColumns: readonly string[],
): Promise<Map<string, Row>> {
  const found = new Map<string, Row>();
  if (!drafts.length) return found;
  // a generic listing's page holds several types: one range per (subscription, type)
  const byType = byTypePrefix(drafts);
  const pointReads: Key[] = [];
  const rangeRead = async ([prefix, rows]: [string, Key[]]): Promise<void> => {
    const sorted = [...rows].sort((a, b) => (a.rowKey < b.rowKey ? -1 : a.rowKey > b.rowKey ? 1 : 0));
    const first = (sorted[0] as Key).rowKey;
    const last = (sorted[sorted.length - 1] as Key).rowKey;
    const wanted = new Set(sorted.map((r) => `${r.partitionKey}\n${r.rowKey}`));
    const budget = sorted.length * 3 + 10;
    let read = 0;
    let coveredUpTo = '';
    let complete = true;
    const filter =
      `PartitionKey ge ${odataString(prefix)} and PartitionKey lt ${odataString(prefixEnd(prefix))}` +
      ` and RowKey ge ${odataString(first)} and RowKey le ${odataString(last)}`;
    for await (const e of table.listEntities<Row>({
      queryOptions: {
        filter,
        select: [...COMPARED_COLUMNS, ...extraColumns],
      },
    })) {
      const rk = e.rowKey as string;
      if (wanted.has(`${e.partitionKey as string}\n${rk}`)) found.set(rk, e);
      // Results come partition by partition: a budget cut leaves later partitions unread too.
      coveredUpTo = `${e.partitionKey as string}\n${rk}`;
      if (++read >= budget) {
        complete = false;
        break;
      }
    }
    if (!complete)
      for (const r of sorted) if (`${r.partitionKey}\n${r.rowKey}` > coveredUpTo) pointReads.push(r);
  };
  await Promise.all([...byType].map(rangeRead));
  const limit = pLimit(READ_CONCURRENCY);
  await Promise.all(
    pointReads.map((r) =>
      limit(async () => {
        const e = await getEntityOrUndefined<Row>(table, r.partitionKey, r.rowKey);
        if (e) found.set(r.rowKey, e);
      }),
    ),
  );
  return found;
}

/** Azure allows 15 comparisons a filter: the RowKey range and 6 PartitionKey ranges. */
const PREFIXES_PER_QUERY = 6;

/**
 * What is stored for a Resource Graph page's rows, in as few range queries as the keys allow. A
 * page of one type (over any number of subscriptions): ONE query, the box from the page's least to
 * greatest PartitionKey and RowKey, which holds every row of the page whatever the order of the keys
 * (a RowKey is the escaped lower-case id, whose order is not quite Graph's `order by id`: `/`
 * becomes `|`); a page is a contiguous id range of few subscriptions, so the box holds little else.
 * A page of several types (a big subscription's chain, its rows interleaved by resource group): the
 * box would hold the other types' rows of those groups, so each query names up to 6 of the page's
 * (subscription, type) PartitionKey ranges and the RowKey range of their rows. When a query's range
 * holds many more rows than its part of the page (budget: twice, plus 100), the rows it did not
 * reach are read per (subscription, type) as readExisting does.
 */
export async function readExistingInOneRange(
  table: TableClient,
  drafts: ReadonlyArray<Pick<TableEntity, 'partitionKey' | 'rowKey'>>,
): Promise<Map<string, ExistingRow>> {
  const found = new Map<string, ExistingRow>();
  if (!drafts.length) return found;
  const byPrefix = byTypePrefix(drafts);
  const prefixes = [...byPrefix.keys()].sort();
  const types = new Set(prefixes.map((p) => p.slice(p.indexOf('|'))));
  const queries: Array<{ filter: string; rows: ReadonlyArray<Key> }> = [];
  if (types.size === 1) queries.push({ filter: boxFilter(drafts), rows: drafts });
  else
    for (let i = 0; i < prefixes.length; i += PREFIXES_PER_QUERY) {
      const group = prefixes.slice(i, i + PREFIXES_PER_QUERY);
      const rows = group.flatMap((p) => byPrefix.get(p) as Key[]);
      const partitions = group.map(
        (p) => `(PartitionKey ge ${odataString(p)} and PartitionKey lt ${odataString(prefixEnd(p))})`,
      );
      const { minRk, maxRk } = keyBounds(rows);
      queries.push({
        filter: `(${partitions.join(' or ')}) and RowKey ge ${odataString(minRk)} and RowKey le ${odataString(maxRk)}`,
        rows,
      });
    }
  await Promise.all(queries.map((q) => readRange(table, q.filter, q.rows, found)));
  return found;
}

/** The least and greatest PartitionKey and RowKey of some rows (at least one). */
function keyBounds(rows: ReadonlyArray<Key>): { minPk: string; maxPk: string; minRk: string; maxRk: string } {
  const { partitionKey, rowKey } = rows[0] as Key;
  const b = { minPk: partitionKey, maxPk: partitionKey, minRk: rowKey, maxRk: rowKey };
  for (const r of rows) {
    if (r.partitionKey < b.minPk) b.minPk = r.partitionKey;
    if (r.partitionKey > b.maxPk) b.maxPk = r.partitionKey;
    if (r.rowKey < b.minRk) b.minRk = r.rowKey;
    if (r.rowKey > b.maxRk) b.maxRk = r.rowKey;
  }
  return b;
}

/** The box from the rows' least to greatest PartitionKey and RowKey: it holds every one of them. */
function boxFilter(rows: ReadonlyArray<Key>): string {
  const { minPk, maxPk, minRk, maxRk } = keyBounds(rows);
  return (
    `PartitionKey ge ${odataString(minPk)} and PartitionKey le ${odataString(maxPk)}` +
    ` and RowKey ge ${odataString(minRk)} and RowKey le ${odataString(maxRk)}`
  );
}

/**
 * One query for `rows` (its filter holds them all). When the query holds many more rows than them
 * (budget: twice, plus 100), the rows it did not reach are read by type.
 */
async function readRange<Row extends ExistingRow>(
  table: TableClient,
  filter: string,
  rows: ReadonlyArray<Key>,
  found: Map<string, Row>,
  extraColumns: readonly string[] = [],
): Promise<void> {
  const wanted = new Set(rows.map((d) => `${d.partitionKey}\n${d.rowKey}`));
  const budget = wanted.size * 2 + 100;
  let read = 0;
  for await (const e of table.listEntities<Row>({
    queryOptions: { filter, select: [...COMPARED_COLUMNS, ...extraColumns] },
  })) {
    const key = `${e.partitionKey as string}\n${e.rowKey as string}`;
    if (wanted.has(key)) found.set(e.rowKey as string, e);
    if (++read >= budget) {
      // results come partition by partition: what is past the last one read is read by type
      const rest = rows.filter((d) => `${d.partitionKey}\n${d.rowKey}` > key);
      for (const [rk, row] of await readByType<Row>(table, rest, extraColumns)) found.set(rk, row);
      return;
    }
  }
}
