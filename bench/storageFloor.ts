import type { TableClient } from '@azure/data-tables';
import pLimit from 'p-limit';
import { upsertTransaction } from '../src/storage/upsertTransaction';

/**
 * The storage floor: the entities a scan wrote, written again to the same Azurite in
 * 100-entity batches of one partition (with the scan's own transaction writer), with no Resource
 * Manager at all, at the best of a few concurrencies. Returns the fastest wall time in
 * milliseconds.
 */
export async function storageFloorMs(
  entities: Array<Record<string, unknown> & { partitionKey: string; rowKey: string }>,
  makeTable: (name: string) => Promise<TableClient>,
  options: {
    concurrencies?: number[];
    /** CPU milliseconds used so far by the storage process, when known: reported for the best run. */
    storageCpuMs?: () => number | undefined;
  } = {},
): Promise<{
  bestMs: number;
  byConcurrency: Record<number, number>;
  storageCpuMs?: number;
  /** The storage process's CPU milliseconds at each concurrency, when known. */
  cpuByConcurrency: Record<number, number | undefined>;
  /** Transactions written per run. */
  transactions: number;
}> {
  const { concurrencies = [2, 4, 8], storageCpuMs } = options;
  const batches: Array<typeof entities> = [];
  const byPartition = new Map<string, typeof entities>();
  for (const e of entities) {
    const list = byPartition.get(e.partitionKey) ?? [];
    list.push(e);
    byPartition.set(e.partitionKey, list);
  }
  for (const list of byPartition.values())
    for (let i = 0; i < list.length; i += 100) batches.push(list.slice(i, i + 100));
  const byConcurrency: Record<number, number> = {};
  const cpuByConcurrency: Record<number, number | undefined> = {};
  for (const c of concurrencies) {
    const table = await makeTable(`floor${c}`);
    const limit = pLimit(c);
    const cpuBefore = storageCpuMs?.();
    const started = performance.now();
    await Promise.all(batches.map((b) => limit(() => upsertTransaction(table, b, 'Merge'))));
    byConcurrency[c] = performance.now() - started;
    const cpuAfter = storageCpuMs?.();
    if (cpuBefore !== undefined && cpuAfter !== undefined) cpuByConcurrency[c] = cpuAfter - cpuBefore;
  }
  const bestMs = Math.min(...Object.values(byConcurrency));
  const best = concurrencies.find((c) => byConcurrency[c] === bestMs) ?? 0;
  return {
    bestMs,
    byConcurrency,
    storageCpuMs: cpuByConcurrency[best],
    cpuByConcurrency,
    transactions: batches.length,
  };
}
