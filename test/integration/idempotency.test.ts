import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allQueueNames } from '../../src/app/allQueueNames';
import { createServices, type Services } from '../../src/app/Services';
import { loadSettings } from '../../src/config/settings';
import { startArmEmulator, type ArmEmulator } from '../../src/emulator';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import { createFunctionDefinitions } from '../../src/runtime/definitions';
import { prefixFilter } from '../../src/storage/keys';
import { pageMessageSchema, parseQueuePayload } from '../../src/scan/messages';
import { decodeMessage } from '../../src/storage/queues';
import { primaryEntity } from '../../src/storage/resourceEntity';
import { capturedLogs } from '../support/localHost';
import { pumpWithDuplicates, type QueueDef } from '../support/pumpWithDuplicates';

describe('idempotent queue handlers', () => {
  let azurite: RunningAzurite;
  let emulator: ArmEmulator;
  let services: Services;
  let defs: QueueDef[];

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    emulator = await startArmEmulator({
      subscriptionCount: 2,
      connected: false,
      vmsPerSubscription: 90,
      pageSize: 25,
      // auto: the 180 VMs are one Resource Graph chain of 8 pages
      graphPageSize: 25,
    });
    services = await createServices({
      settings: loadSettings({
        AzureWebJobsStorage: azurite.connectionString,
        TOPDECK_ARM_ENDPOINT: emulator.endpoint,
        TOPDECK_ARM_TOKEN: 'test-token',
      }),
      armCaPem: emulator.caPem,
    });
    defs = createFunctionDefinitions(async () => services).filter((d): d is QueueDef => d.kind === 'queue');
  });
  afterAll(async () => {
    await services?.close();
    await emulator?.close();
    await azurite?.close();
  });

  it('gives the same tables and one finalize when every message is delivered twice', async () => {
    expect(defs.map((d) => d.queueName).sort()).toEqual(allQueueNames().sort());
    const scan = await services.scans.startScan({ trigger: 'http' });
    const carried = await pumpWithDuplicates(services.queueService, defs);
    const view = await services.scansApi.get(scan.scanId);
    expect(view.status).toBe('completed');
    expect(view.counts).toMatchObject({ resources: 180, added: 0, modified: 0, removed: 0 });
    expect(view.pages).toBe(8);
    // One continuation per page, one finalize, however often each was delivered.
    expect(carried['discover-resources']).toBe(8);
    expect(carried['finalize-scan']).toBe(1);
    expect(
      capturedLogs.filter((l) => l.includes('"scan finalized"') && l.includes(scan.scanId)),
    ).toHaveLength(1);

    const rows: string[] = [];
    for await (const e of services.tables.resources.listEntities())
      rows.push(`${e.id}|${e.status}|${e.scanId}`);
    const expected = emulator.estate.subscriptions
      .flatMap((s) => s.vms)
      .map((v) => `${v.id}|${v.powerState === 'running' ? 'running' : 'stopped'}|${scan.scanId}`);
    expect(rows.sort()).toEqual(expected.sort());
    const changes: string[] = [];
    for await (const c of services.tables.changes.listEntities({
      queryOptions: { filter: prefixFilter('PartitionKey', `${scan.scanId}|`) },
    })) {
      changes.push(String(c.kind));
    }
    // a first scan is a baseline: one record per subscription (each written twice: by scan and by
    // resource, the by-resource row in its own partition), however often a message was delivered
    expect(changes).toEqual(['baseline', 'baseline']);
    expect(view.counts.edgesAdded).toBeGreaterThan(0);
  });

  it('records a second scan of an unchanged estate as no change, a removal as removed, and keeps what a concurrent scan saw', async () => {
    const scan = await services.scans.startScan({ trigger: 'http' });
    // A row the estate no longer has: it must be removed by a clean scan, and only then.
    const ghost =
      '/subscriptions/' +
      emulator.estate.subscriptions[0]?.subscriptionId +
      '/resourceGroups/rg-gone/providers/Microsoft.Compute/virtualMachines/vm-gone';
    await services.tables.resources.upsertEntity(
      primaryEntity(
        {
          id: ghost,
          name: 'vm-gone',
          type: 'Microsoft.Compute/virtualMachines',
          location: 'eastus',
          tags: {},
          properties: {},
        },
        {
          scanId: 'older',
          seenAt: new Date(0).toISOString(),
          canonicalType: 'Microsoft.Compute/virtualMachines',
        },
      ),
    );
    // A row another scan running alongside saw after this one started: it must survive.
    const fresh = ghost.replace('vm-gone', 'vm-new-elsewhere');
    await services.tables.resources.upsertEntity(
      primaryEntity(
        {
          id: fresh,
          name: 'vm-new-elsewhere',
          type: 'Microsoft.Compute/virtualMachines',
          location: 'eastus',
          tags: {},
          properties: {},
        },
        {
          scanId: 'concurrent',
          seenAt: new Date(Date.now() + 1000).toISOString(),
          canonicalType: 'Microsoft.Compute/virtualMachines',
        },
      ),
    );
    await pumpWithDuplicates(services.queueService, defs);
    const view = await services.scansApi.get(scan.scanId);
    expect(view.status).toBe('completed');
    expect(view.counts).toMatchObject({ resources: 180, added: 0, modified: 0, removed: 1 });
    expect(
      (await services.resourcesApi.get(Buffer.from(fresh.toLowerCase()).toString('base64url'))).name,
    ).toBe('vm-new-elsewhere');
    await expect(
      services.resourcesApi.get(Buffer.from(ghost.toLowerCase()).toString('base64url')),
    ).rejects.toMatchObject({ statusCode: 404 });
  });

  it('counts a page retried after a crash before its marker was written the same as the first attempt', async () => {
    const all: Array<{ partitionKey: string; rowKey: string }> = [];
    for await (const e of services.tables.resources.listEntities({
      queryOptions: { select: ['PartitionKey', 'RowKey'] },
    })) {
      all.push({ partitionKey: e.partitionKey as string, rowKey: e.rowKey as string });
    }
    for (const k of all) await services.tables.resources.deleteEntity(k.partitionKey, k.rowKey);

    const scan = await services.scans.startScan({ trigger: 'http' });
    const queue = services.queueService.getQueueClient('discover-resources');
    const { receivedMessageItems } = await queue.receiveMessages({
      numberOfMessages: 1,
      visibilityTimeout: 60,
    });
    const item = receivedMessageItems[0];
    if (!item) throw new Error('no page message');
    const parsed = parseQueuePayload(pageMessageSchema, decodeMessage(item.messageText));
    if (!parsed.ok) throw new Error(parsed.error);
    const msg = parsed.value;
    const delivery = { messageId: item.messageId, dequeueCount: 1 };
    expect(await services.scans.processPage(msg, delivery)).toBe('done');
    // The worker "died" after writing the rows but before marking the page done.
    await services.store.updatePageMarker(msg.scanId, msg.taskId, msg.page, { state: 'claimed', added: 0 });
    expect(await services.scans.processPage(msg, { ...delivery, dequeueCount: 2 })).toBe('done');
    expect((await services.store.getPageMarker(msg.scanId, msg.taskId, msg.page))?.added).toBe(25);
    await queue.deleteMessage(item.messageId, item.popReceipt);

    await pumpWithDuplicates(services.queueService, defs);
    const view = await services.scansApi.get(scan.scanId);
    expect(view.status).toBe('completed');
    expect(view.counts).toMatchObject({ resources: 180, added: 180, modified: 0, removed: 0 });
  });
});
