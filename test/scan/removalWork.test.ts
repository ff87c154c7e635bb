import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTableOperations } from '../../bench/countRequests';
import type { ChangeItem } from '../../src/changes/ChangeItem';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import type { ScanRow, TaskRow } from '../../src/scan/ScanRecords';
import type { ScanContext } from '../../src/scan/ScanContext';
import { removalWork } from '../../src/scan/removeUnseen';
import { encodeSeenKeys } from '../../src/scan/seenKeys';
import { resourcePartitionKey, resourceRowKey } from '../../src/storage/keys';
import type { TableEntity } from '../../src/storage/resourceEntity';
import { upsertInBatches } from '../../src/storage/tables';

const SUB = '0b1f0000-0000-0000-0000-00000000000a';
const SUB2 = '0b1f0000-0000-0000-0000-00000000000b';
const STARTED = '2026-12-08T01:00:00.000Z';
const BEFORE = '2026-12-07T01:00:00.000Z';
/** Nine types of one subscription: two queries of up to 7 scopes. */
const TYPES = [
  'Microsoft.Cache/redis',
  'Microsoft.Compute/disks',
  'Microsoft.Compute/virtualMachines',
  'Microsoft.KeyVault/vaults',
  'Microsoft.Network/loadBalancers',
  'Microsoft.Network/networkInterfaces',
  'Microsoft.Network/virtualNetworks',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Web/serverfarms',
];
/** A type of the subscription whose task failed: nothing of it may go. */
const FAILED = 'Microsoft.Sql/servers';

const row = (sub: string, type: string, rg: string, name: string, lastSeenAt = BEFORE): TableEntity => {
  const id = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;
  return {
    partitionKey: resourcePartitionKey(sub, type, rg),
    rowKey: resourceRowKey(id),
    id,
    name,
    type,
    lastSeenAt,
  };
};

describe("removalWork: a subscription's clean tasks remove what they did not list, reading their scopes together", () => {
  let azurite: RunningAzurite;
  let table: TableClient;
  let ops: ReturnType<typeof countTableOperations>;
  const recorded: ChangeItem[] = [];
  const tasks: TaskRow[] = [];
  const kept: TableEntity[] = [];
  const gone: TableEntity[] = [];

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    table = TableClient.fromConnectionString(azurite.connectionString, 'resources', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    ops = countTableOperations([table]);
    for (const [sub, types] of [
      [SUB, TYPES],
      [SUB2, [TYPES[0] as string]],
    ] as const)
      for (const type of types) {
        const seen = [row(sub, type, 'rg-a', 'a1'), row(sub, type, 'rg-b', 'b1')];
        kept.push(...seen);
        // listed by no page, but written by a scan running alongside: present
        kept.push(row(sub, type, 'rg-b', 'late', STARTED));
        gone.push(row(sub, type, 'rg-a', 'gone'));
        tasks.push({
          taskId: `${sub}|${type}`,
          subscriptionId: sub,
          resourceType: type,
          status: 'completed',
          updatedAt: STARTED,
          pages: 1,
          seen: encodeSeenKeys(seen.map((r) => r.rowKey)),
        });
      }
    // the failed task's rows, listed by none: kept
    kept.push(row(SUB, FAILED, 'rg-a', 'sql-1'));
    await upsertInBatches(table, [...kept, ...gone], 'Replace');
  });
  afterAll(async () => {
    await azurite?.close();
  });

  it('removes exactly the unlisted rows of the clean tasks, in one query per 7 scopes of a subscription', async () => {
    const ctx = {
      deps: { tables: { resources: table }, extensions: [] },
      now: () => new Date('2026-12-08T01:05:00.000Z'),
      changeLog: { record: async (items: ChangeItem[]) => void recorded.push(...items) },
    } as unknown as ScanContext;
    const scan = { scanId: 'scan-1', startedAt: STARTED } as ScanRow;
    const failed: TaskRow = {
      taskId: `${SUB}|${FAILED}`,
      subscriptionId: SUB,
      resourceType: FAILED,
      status: 'failed',
      updatedAt: STARTED,
    };
    const before = ops.counts()['resources query'] ?? 0;
    const removals = (
      await Promise.all(removalWork(ctx, scan, tasks, [...tasks, failed]).map((w) => w()))
    ).flat();
    // SUB's 9 scopes in 2 queries, SUB2's one in its own
    expect((ops.counts()['resources query'] ?? 0) - before).toBe(3);
    expect(removals.map((r) => [r.task.taskId, r.removed, r.scopes.length]).sort()).toEqual(
      tasks.map((t) => [t.taskId, 1, 1]).sort(),
    );
    expect(recorded.map((c) => `${c.kind} ${c.resourceId} ${c.type}`).sort()).toEqual(
      gone.map((g) => `removed ${g.id} ${g.type}`).sort(),
    );
    const left: string[] = [];
    for await (const e of table.listEntities<{ id: string }>()) left.push(e.id);
    expect(left.sort()).toEqual(kept.map((k) => k.id as string).sort());
  });
});
