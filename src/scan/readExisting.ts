import type { TableClient } from '@azure/data-tables';
import pLimit from 'p-limit';
import { odataString } from '../storage/keys';
import type { TableEntity } from '../storage/resourceEntity';
import { getEntityOrUndefined } from '../storage/tables';

/** Concurrent point reads per page, when a range read does not cover the page. */
const READ_CONCURRENCY = 16;

export interface ExistingRow {
  id?: string;
  hash?: string;
  discoveredAt?: string;
  scanId?: string;
  changeKind?: string;
  status?: string;
  powerState?: string;
}

/**
 * What is stored for a page's rows, to tell added from modified. Listings come back in id
 * order, so one RowKey range query usually covers the page; if the range holds many more
 * rows than the page (another order), the rest is read by point reads. Bounded either way.
 */
export async function readExisting(
  table: TableClient,
  drafts: TableEntity[],
): Promise<Map<string, ExistingRow>> {
  const found = new Map<string, ExistingRow>();
  if (!drafts.length) return found;
  const byPartition = new Map<string, string[]>();
  for (const d of drafts)
    byPartition.set(d.partitionKey, [...(byPartition.get(d.partitionKey) ?? []), d.rowKey]);
  const pointReads: Array<{ pk: string; rk: string }> = [];
  const rangeRead = async ([pk, keys]: [string, string[]]): Promise<void> => {
    const sorted = [...keys].sort();
    const first = sorted[0] as string;
    const last = sorted[sorted.length - 1] as string;
    const wanted = new Set(sorted);
    const budget = sorted.length * 3 + 10;
    let read = 0;
    let coveredUpTo = '';
    let complete = true;
    const filter = `PartitionKey eq ${odataString(pk)} and RowKey ge ${odataString(first)} and RowKey le ${odataString(last)}`;
    for await (const e of table.listEntities<ExistingRow>({
      queryOptions: {
        filter,
        select: ['RowKey', 'id', 'hash', 'discoveredAt', 'scanId', 'changeKind', 'status', 'powerState'],
      },
    })) {
      const rk = e.rowKey as string;
      if (wanted.has(rk)) found.set(rk, e);
      coveredUpTo = rk;
      if (++read >= budget) {
        complete = false;
        break;
      }
    }
    if (!complete) for (const rk of sorted) if (rk > coveredUpTo) pointReads.push({ pk, rk });
  };
  // A page of one type spans a few resource groups: their range reads go together.
  await Promise.all([...byPartition].map(rangeRead));
  const limit = pLimit(READ_CONCURRENCY);
  await Promise.all(
    pointReads.map(({ pk, rk }) =>
      limit(async () => {
        const e = await getEntityOrUndefined<ExistingRow>(table, pk, rk);
        if (e) found.set(rk, e);
      }),
    ),
  );
  return found;
}
