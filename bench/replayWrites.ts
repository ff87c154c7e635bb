import type { TableClient } from '@azure/data-tables';
import pLimit from 'p-limit';
import * as transactions from '../src/storage/upsertTransaction';
import type { TableEntity } from '../src/storage/resourceEntity';

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/**
 * The writes a scan sends to some tables, as it groups them: each transaction's keys (through
 * `upsertTransaction`, which every batched write of the scan uses) and each single upsert or
 * merge (read off the clients' pipelines). Replayed later with the rows' final content, they give
 * a storage floor that keeps the scan's own grouping (a page's rows of a partition per
 * transaction), beside the floor that packs every partition into full transactions.
 */
export function recordWrites(tables: TableClient[]): {
  writes: Array<{ table: string; keys: Array<{ partitionKey: string; rowKey: string }> }>;
  stop(): void;
} {
  const names = new Set(tables.map((t) => t.tableName));
  const writes: Array<{ table: string; keys: Array<{ partitionKey: string; rowKey: string }> }> = [];
  const holder = transactions as unknown as Record<string, unknown>;
  const original = transactions.upsertTransaction;
  holder.upsertTransaction = (table: TableClient, entities: TableEntity[], mode: 'Merge' | 'Replace') => {
    if (names.has(table.tableName))
      writes.push({
        table: table.tableName,
        keys: entities.map((e) => ({ partitionKey: e.partitionKey, rowKey: e.rowKey })),
      });
    return original(table, entities, mode);
  };
  const single = /\(PartitionKey='([^']*)',RowKey='([^']*)'\)$/;
  for (const table of tables)
    table.pipeline.addPolicy({
      name: 'recordWrites',
      sendRequest(request, next) {
        const path = new URL(request.url).pathname;
        const m = ['PUT', 'PATCH', 'MERGE'].includes(request.method) ? single.exec(path) : null;
        if (m)
          writes.push({
            table: table.tableName,
            keys: [
              {
                partitionKey: decodeURIComponent(m[1] as string).replace(/''/g, "'"),
                rowKey: decodeURIComponent(m[2] as string).replace(/''/g, "'"),
              },
            ],
          });
        return next(request);
      },
    });
  return {
    writes,
    stop: () => {
      holder.upsertTransaction = original;
      for (const t of tables) t.pipeline.removePolicy({ name: 'recordWrites' });
    },
  };
}

/**
 * The recorded writes again, each group as one transaction (a single entity as one upsert),
 * with the content the rows hold now (rows deleted since are left out), into fresh tables, at
 * the best of a few concurrencies. Returns the fastest wall time in ms and the requests sent.
 */
export async function replayWritesMs(
  writes: ReadonlyArray<{ table: string; keys: Array<{ partitionKey: string; rowKey: string }> }>,
  content: Map<string, Map<string, Entity>>,
  makeTable: (name: string) => Promise<TableClient>,
  concurrencies = [2, 4, 8],
): Promise<{ bestMs: number; requests: number }> {
  const groups: Array<{ table: string; entities: Entity[] }> = [];
  for (const w of writes) {
    const rows = content.get(w.table);
    const entities = w.keys
      .map((k) => rows?.get(`${k.partitionKey}\n${k.rowKey}`))
      .filter((e): e is Entity => Boolean(e));
    if (entities.length) groups.push({ table: w.table, entities });
  }
  let bestMs = Infinity;
  for (const c of concurrencies) {
    const clients = new Map<string, TableClient>();
    for (const name of new Set(groups.map((g) => g.table)))
      clients.set(name, await makeTable(`replay${name}${c}`));
    const limit = pLimit(c);
    const started = performance.now();
    await Promise.all(
      groups.map((g) =>
        limit(async () => {
          const table = clients.get(g.table) as TableClient;
          if (g.entities.length === 1) await table.upsertEntity(g.entities[0] as Entity, 'Merge');
          else await transactions.upsertTransaction(table, g.entities, 'Merge');
        }),
      ),
    );
    bestMs = Math.min(bestMs, performance.now() - started);
  }
  return { bestMs, requests: groups.length };
}
