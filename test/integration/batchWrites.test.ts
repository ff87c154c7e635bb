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

  it('writes full 100-row batches as partitions fill, the fullest partitions once over the limit, the rest on flush', async () => {
    const writer = new BatchWriter(table, 'Replace', 500);
    const rowsOf = (pk: string, n: number) => Array.from({ length: n }, (_, i) => row(pk, i));
    writer.add(rowsOf('a', 250));
    writer.add(rowsOf('b', 30));
    await writer.drain();
    expect(transactions()).toEqual(['batch 100', 'batch 100']);
    expect((await rows()).length).toBe(200);
    writer.add(rowsOf('c', 400).filter((r) => Number(r.n) % 7 !== 0));
    writer.add(rowsOf('d', 90));
    await writer.drain(); // c's 300 as whole batches; 50 + 30 + 42 + 90 = 212 wait, under the limit
    expect(transactions()).toEqual(['batch 100', 'batch 100', 'batch 100']);
    writer.add([...rowsOf('e', 99), ...rowsOf('j', 95), ...rowsOf('k', 98), ...rowsOf('m', 97)]);
    // 601 wait, over 500: the fullest partitions go until no more than 250 wait
    await writer.drain();
    expect(transactions().sort()).toEqual(['batch 95', 'batch 97', 'batch 98', 'batch 99']);
    writer.add([row('n', 1)]);
    await writer.flush();
    expect(transactions().sort()).toEqual(['batch 30', 'batch 42', 'batch 50', 'batch 90']);
    expect((await rows()).length).toBe(200 + 300 + 212 + 389 + 1);
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
