import { TableClient, TableServiceClient, type TransactionAction } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import pLimit from 'p-limit';
import type { TableEntity } from './resourceEntity';
import { upsertTransaction } from './upsertTransaction';

export const TABLE_NAMES = [
  'resources',
  'scans',
  'scantasks',
  'changes',
  'dependencies',
  'repositories',
  'pipelines',
  'commits',
  'deployments',
  'applications',
  'devopswatermarks',
  'tombstones',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];
export type Tables = Record<TableName, TableClient>;

/** How to reach Table and Queue storage: a connection string, or identity-based endpoints. */
export type StorageAccess =
  | { kind: 'connectionString'; connectionString: string }
  | { kind: 'identity'; tableUrl: string; queueUrl: string; credential: TokenCredential };

const isLoopback = (cs: string) => /UseDevelopmentStorage=true|127\.0\.0\.1|localhost/i.test(cs);

/**
 * The storage SDKs' own retry (exponential, Retry-After aware) is the one retry layer around a
 * Table or Queue call; queue redelivery stays the outer layer. Set here, once.
 */
export const TABLE_RETRY = { maxRetries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 5000 };
export const QUEUE_RETRY = { maxTries: 4, retryDelayInMs: 200, maxRetryDelayInMs: 5000 };

export function createTables(access: StorageAccess, prefix = ''): Tables {
  const make = (name: TableName): TableClient =>
    access.kind === 'connectionString'
      ? TableClient.fromConnectionString(access.connectionString, prefix + name, {
          allowInsecureConnection: isLoopback(access.connectionString),
          retryOptions: TABLE_RETRY,
        })
      : new TableClient(access.tableUrl, prefix + name, access.credential, { retryOptions: TABLE_RETRY });
  return Object.fromEntries(TABLE_NAMES.map((n) => [n, make(n)])) as Tables;
}

export async function ensureTables(access: StorageAccess, tables: Tables): Promise<void> {
  const service =
    access.kind === 'connectionString'
      ? TableServiceClient.fromConnectionString(access.connectionString, {
          allowInsecureConnection: isLoopback(access.connectionString),
          retryOptions: TABLE_RETRY,
        })
      : new TableServiceClient(access.tableUrl, access.credential, { retryOptions: TABLE_RETRY });
  await Promise.all(
    Object.values(tables).map(async (t) => {
      try {
        await service.createTable(t.tableName);
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode !== 409) throw e;
      }
    }),
  );
}

/** Table transactions hold at most 100 entities, all of one partition. */
export const MAX_BATCH = 100;

/**
 * Upserts entities in transactions of up to 100 per partition, a few in flight.
 * Merge keeps columns the write does not carry (a state listing's `status`).
 */
export async function upsertInBatches(
  table: TableClient,
  entities: TableEntity[],
  mode: 'Merge' | 'Replace' = 'Merge',
  concurrency = 4,
): Promise<number> {
  const byPartition = new Map<string, TableEntity[]>();
  for (const e of entities) {
    const list = byPartition.get(e.partitionKey) ?? [];
    list.push(e);
    byPartition.set(e.partitionKey, list);
  }
  const chunks: TableEntity[][] = [];
  for (const list of byPartition.values()) {
    for (let i = 0; i < list.length; i += MAX_BATCH) chunks.push(list.slice(i, i + MAX_BATCH));
  }
  const limit = pLimit(concurrency);
  await Promise.all(
    chunks.map((chunk) =>
      limit(async () => {
        if (chunk.length === 1) {
          await table.upsertEntity(chunk[0] as TableEntity, mode);
          return;
        }
        await upsertTransaction(table, chunk, mode);
      }),
    ),
  );
  return entities.length;
}

export async function deleteInBatches(
  table: TableClient,
  keys: Array<{ partitionKey: string; rowKey: string }>,
): Promise<void> {
  const byPartition = new Map<string, string[]>();
  for (const k of keys) {
    const list = byPartition.get(k.partitionKey) ?? [];
    list.push(k.rowKey);
    byPartition.set(k.partitionKey, list);
  }
  for (const [pk, rows] of byPartition) {
    for (let i = 0; i < rows.length; i += MAX_BATCH) {
      const chunk = rows.slice(i, i + MAX_BATCH);
      try {
        await table.submitTransaction(
          chunk.map((rk): TransactionAction => ['delete', { partitionKey: pk, rowKey: rk }]),
        );
      } catch (e) {
        // A row already gone (a retry after a partial delete) fails its whole transaction: the
        // chunk's rows one at a time then, each absent one being what was wanted.
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
        for (const rk of chunk)
          await table.deleteEntity(pk, rk).catch((err: { statusCode?: number }) => {
            if (err.statusCode !== 404) throw err;
          });
      }
    }
  }
}

/**
 * Rows gathered per partition and written as whole 100-row transactions as partitions fill, so a
 * long step holds a bounded number of rows yet mostly writes full batches. Once more than
 * `limit` rows wait, the fullest partitions are written until half the limit waits; `flush`
 * writes what is left.
 */
export class BatchWriter {
  private readonly waiting = new Map<string, TableEntity[]>();
  private count = 0;

  constructor(
    private readonly table: TableClient,
    private readonly mode: 'Merge' | 'Replace',
    /**
     * Rows held at most (about 1 KB each). At 2,500 a writer the dependency step's live heap at
     * 106,262 resources stays under the pages'; 10,000 held 7 MB more at 31,889 resources.
     */
    private readonly limit = 2_500,
    /** Transactions in flight (the storage floor's best on the benchmark: 8). */
    private readonly concurrency = 8,
  ) {}

  add(rows: TableEntity[]): void {
    for (const r of rows) {
      const list = this.waiting.get(r.partitionKey);
      if (list) list.push(r);
      else this.waiting.set(r.partitionKey, [r]);
    }
    this.count += rows.length;
  }

  /** Writes the full batches waiting and, while over the limit, the fullest partitions. */
  async drain(): Promise<void> {
    const out: TableEntity[] = [];
    for (const [pk, list] of this.waiting) {
      if (list.length < MAX_BATCH) continue;
      out.push(...list.splice(0, list.length - (list.length % MAX_BATCH)));
      if (!list.length) this.waiting.delete(pk);
    }
    this.count -= out.length;
    if (this.count > this.limit) {
      const fullest = [...this.waiting].sort((a, b) => b[1].length - a[1].length);
      for (const [pk, list] of fullest) {
        if (this.count <= this.limit / 2) break;
        out.push(...list);
        this.count -= list.length;
        this.waiting.delete(pk);
      }
    }
    await upsertInBatches(this.table, out, this.mode, this.concurrency);
  }

  async flush(): Promise<void> {
    const rows = [...this.waiting.values()].flat();
    this.waiting.clear();
    this.count = 0;
    await upsertInBatches(this.table, rows, this.mode, this.concurrency);
  }
}

/** Inserts only if absent. True when this call created it; false when it already existed (409). */
export async function insertIfAbsent(table: TableClient, entity: TableEntity): Promise<boolean> {
  try {
    await table.createEntity(entity);
    return true;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 409) return false;
    throw e;
  }
}

export async function getEntityOrUndefined<T extends object = Record<string, unknown>>(
  table: TableClient,
  partitionKey: string,
  rowKey: string,
): Promise<(T & { etag: string }) | undefined> {
  try {
    return (await table.getEntity<T>(partitionKey, rowKey)) as T & { etag: string };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}
