import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countEntityWrites, type EntityWrites } from '../../bench/countRequests';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import type { TableEntity } from '../../src/storage/resourceEntity';
import { BatchWriter, deleteInBatches, upsertInBatches } from '../../src/storage/tables';

describe('batched Table writes', () => {
  let azurite: RunningAzurite;
  let table: TableClient;
  let writes: EntityWrites;
  const transactions = () => writes.transactions.splice(0).map((n) => `batch ${n}`);
  const rows = async () => {
    const keys: string[] = [];
    for await (const e of table.listEntities()) keys.push(`${e.partitionKey}/${e.rowKey}`);
    return keys.sort();
  };
  const row = (pk: string, i: number): TableEntity => ({
    partitionKey: pk,
    rowKey: String(i).padStart(4, '0'),
    n: i,
  });

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    table = TableClient.fromConnectionString(azurite.connectionString, 'batches', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    // what goes over the wire: each transaction's size
    writes = countEntityWrites(table);
  });
  afterAll(async () => {
    await azurite?.close();
  });

  it('writes full 100-row batches as partitions fill, the rest on flush, everything once over the limit', async () => {
    const writer = new BatchWriter(table, 'Replace', 500);
    writer.add(Array.from({ length: 250 }, (_, i) => row('a', i)));
    writer.add(Array.from({ length: 30 }, (_, i) => row('b', i)));
    await writer.drain();
    expect(transactions()).toEqual(['batch 100', 'batch 100']);
    expect((await rows()).length).toBe(200);
    writer.add(Array.from({ length: 400 }, (_, i) => row('c', i)).filter((r) => Number(r.n) % 7 !== 0));
    writer.add(Array.from({ length: 200 }, (_, i) => row('d', i)).slice(0, 90));
    await writer.drain(); // 50 + 30 + 342 + 90 rows wait: over the limit, all written
    expect(transactions().sort()).toEqual(
      ['batch 100', 'batch 100', 'batch 100', 'batch 30', 'batch 42', 'batch 50', 'batch 90'].sort(),
    );
    writer.add([row('e', 1)]);
    await writer.flush();
    expect((await rows()).length).toBe(200 + 50 + 30 + 342 + 90 + 1);
    transactions();
  });

  it('deletes rows some of which are already gone (a retried delete)', async () => {
    await upsertInBatches(
      table,
      Array.from({ length: 120 }, (_, i) => row('f', i)),
      'Replace',
    );
    await table.deleteEntity('f', '0005');
    await table.deleteEntity('f', '0110');
    await deleteInBatches(table, [
      ...Array.from({ length: 120 }, (_, i) => row('f', i)),
      { partitionKey: 'g', rowKey: 'never-there' },
    ]);
    expect((await rows()).filter((k) => k.startsWith('f/') || k.startsWith('g/'))).toEqual([]);
  });
});
