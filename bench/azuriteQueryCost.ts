/**
 * What a Table query costs in Azurite, the storage every benchmark runs on: `node
 * dist/bench/azuriteQueryCost.js [edges]` (default 31,500 edges, 63,000 rows). Azurite keeps a
 * table in one LokiJS collection and answers every query page by testing the filter against
 * every row of the table and sorting the matches, so a query costs in proportion to the table,
 * not to its answer (Azure Table storage reads a PartitionKey range from its index). The figures
 * are Azurite's own CPU (its process's, from /proc), which a loaded machine stretches less than
 * wall time. They explain the gap between a scan that reads (a re-scan, the dependency step) and
 * a storage floor that only writes. Informational: no target.
 */
import { TableClient } from '@azure/data-tables';
import { upsertInBatches } from '../src/storage/tables';
import type { TableEntity } from '../src/storage/resourceEntity';
import { processCpuMs } from './processCpu';
import { startAzuriteProcess } from './scanBench';

/** An edge's two rows as the dependencies table keeps them (out| and in|), with a believable size. */
function edgeRows(i: number): TableEntity[] {
  const sub = `0b1f${String(i % 300).padStart(4, '0')}-0000-0000-0000-000000000000`;
  const group = `rg-${i % 6}`;
  const source = `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Compute/virtualMachines/vm-${i}`;
  const target = `/subscriptions/${sub}/resourceGroups/${group}/providers/Microsoft.Network/networkInterfaces/nic-${i}`;
  const key = (id: string) => id.toLowerCase().replace(/\//g, '|');
  const columns = {
    sourceId: source,
    targetId: target,
    category: 'network',
    strength: 1,
    method: 'property',
    evidence: `properties.networkProfile.networkInterfaces[0].id = ${target}`,
    firstSeenScanId: 'scan-1',
  };
  return [
    {
      partitionKey: `out|${sub}|${group}|microsoft.compute|virtualmachines`,
      rowKey: `${key(source)}~${key(target)}~property`,
      ...columns,
    },
    {
      partitionKey: `in|${sub}|${group}|microsoft.network|networkinterfaces`,
      rowKey: `${key(target)}~${key(source)}~property`,
      ...columns,
    },
  ];
}

async function main(): Promise<void> {
  const edges = Number(process.argv[2] ?? 31_500);
  const azurite = await startAzuriteProcess();
  try {
    const table = TableClient.fromConnectionString(azurite.connectionString, 'costs', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    const rows = Array.from({ length: edges }, (_, i) => edgeRows(i)).flat();
    await upsertInBatches(table, rows, 'Replace', 8);
    const outRows = `PartitionKey ge 'out|' and PartitionKey lt 'out}'`;
    const onePartition = rows[2]?.partitionKey as string;
    const readPages = async (filter: string, pages = Infinity): Promise<number> => {
      let n = 0;
      let read = 0;
      for await (const page of table
        .listEntities({ queryOptions: { filter } })
        .byPage({ maxPageSize: 1000 })) {
        n += page.length;
        if (++read >= pages) break;
      }
      return n;
    };
    console.log(`\nAzurite query cost: a table of ${rows.length} rows (${edges} edges, two rows each)`);
    const cases: Array<[string, () => Promise<number>]> = [
      ['one partition (a query that finds little)', () => readPages(`PartitionKey eq '${onePartition}'`)],
      ['a query that finds nothing', () => readPages(`PartitionKey eq 'out|nothing'`)],
      ['the first 1,000-row page of the out| rows', () => readPages(outRows, 1)],
      ['every out| row, 1,000 a page', () => readPages(outRows)],
    ];
    for (const [label, read] of cases) {
      const cpuAt = processCpuMs(azurite.tablePid);
      const started = performance.now();
      const found = await read();
      const wall = performance.now() - started;
      const cpu = (processCpuMs(azurite.tablePid) ?? NaN) - (cpuAt ?? NaN);
      console.log(`  ${label}: ${found} rows, ${wall.toFixed(0)} ms wall, Azurite CPU ${cpu.toFixed(0)} ms`);
    }
  } finally {
    azurite.stop();
  }
}

if (require.main === module)
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
