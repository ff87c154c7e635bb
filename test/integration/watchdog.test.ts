import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/app/Services';
import { loadSettings } from '../../src/config/settings';
import { startArmEmulator, type ArmEmulator } from '../../src/emulator';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import { finalizeMessageSchema, pageMessageSchema, parseQueuePayload } from '../../src/scan/messages';
import { createArmClients, staticTokenCredential } from '../../src/discovery/armClients';
import { ScanService } from '../../src/scan/ScanService';
import { decodeMessage } from '../../src/storage/queues';
import { createLogger } from '../../src/telemetry/logger';
import '../support/localHost';

describe('the watchdog', () => {
  let azurite: RunningAzurite;
  let emulator: ArmEmulator;
  let services: Services;

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    emulator = await startArmEmulator({ subscriptionCount: 2, connected: false, vmsPerSubscription: 10 });
    services = await createServices({
      settings: loadSettings({
        AzureWebJobsStorage: azurite.connectionString,
        TOPDECK_ARM_ENDPOINT: emulator.endpoint,
        TOPDECK_ARM_TOKEN: 'test-token',
        TOPDECK_WATCHDOG_MINUTES: '10',
      }),
      armCaPem: emulator.caPem,
    });
  });
  afterAll(async () => {
    await services?.close();
    await emulator?.close();
    await azurite?.close();
  });

  it('ends a scan whose tasks stopped moving as partial, naming the stalled tasks', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const scans = new ScanService({
      store: services.store,
      tables: services.tables,
      queues: services.queues,
      arm: services.arm,
      logger: createLogger('test'),
      defaults: { subscriptionIds: [], watchdogMinutes: 10 },
      now: () => new Date(clock),
    });
    const scan = await scans.startScan({ trigger: 'timer' });
    // The page messages are lost (a worker died with them): nothing will ever move.
    // (TOPDECK_INVENTORY_SOURCE=auto: the VMs are read by a Resource Graph chain on discover-resources)
    for (const q of ['discover-resources', 'discover-virtualmachines'])
      await services.queueService.getQueueClient(q).clearMessages();

    clock += 5 * 60_000;
    expect(await scans.watchdog()).toEqual([]);
    clock += 6 * 60_000;
    expect(await scans.watchdog()).toEqual([scan.scanId]);

    const finalizeQueue = services.queueService.getQueueClient('finalize-scan');
    const { receivedMessageItems } = await finalizeQueue.receiveMessages({ numberOfMessages: 32 });
    const messages = receivedMessageItems.map((m) =>
      parseQueuePayload(finalizeMessageSchema, decodeMessage(m.messageText)),
    );
    const mine = messages.find((m) => m.ok && m.value.scanId === scan.scanId);
    expect(mine?.ok && mine.value.reason).toBe('watchdog');
    if (!mine?.ok) throw new Error('no finalize message for the scan');

    const final = await scans.finalize(mine.value);
    expect(final?.status).toBe('partial');
    const view = await services.scansApi.get(scan.scanId);
    expect(view.tasks).toMatchObject({ total: 2, failed: 2, pending: 0 });
    expect(view.errors[0]).toMatchObject({ count: 2 });
    expect(view.errors[0]?.message).toContain('no progress for 10 minutes');
    // A second finalize (a duplicate message) changes nothing.
    expect((await scans.finalize(mine.value))?.completedAt).toBe(final?.completedAt);
  });

  it('leaves alone a scan whose pages still move, even when its task rows are old', async () => {
    let clock = Date.parse('2026-02-01T00:00:00Z');
    const paged = await startArmEmulator({
      subscriptionCount: 1,
      connected: false,
      vmsPerSubscription: 12,
      pageSize: 4,
      // auto: the 12 VMs are one Resource Graph chain of 3 pages
      graphPageSize: 4,
    });
    const scans = new ScanService({
      store: services.store,
      tables: services.tables,
      queues: services.queues,
      arm: createArmClients({
        endpoint: paged.endpoint,
        credential: staticTokenCredential('t'),
        caPem: paged.caPem,
      }),
      logger: createLogger('test'),
      defaults: {
        subscriptionIds: [paged.estate.subscriptions[0]?.subscriptionId as string],
        watchdogMinutes: 10,
      },
      now: () => new Date(clock),
    });
    const queue = services.queueService.getQueueClient('discover-resources');
    await queue.clearMessages();
    const scan = await scans.startScan({ trigger: 'timer' });
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 1 });
    const first = parseQueuePayload(
      pageMessageSchema,
      decodeMessage(receivedMessageItems[0]?.messageText ?? ''),
    );
    if (!first.ok) throw new Error(first.error);
    await scans.processPage(first.value, { messageId: 'm1', dequeueCount: 1 });
    const { receivedMessageItems: next } = await queue.receiveMessages({ numberOfMessages: 1 });
    const second = parseQueuePayload(pageMessageSchema, decodeMessage(next[0]?.messageText ?? ''));
    if (!second.ok) throw new Error(second.error);
    // Page 2 at +25 min: the task row was last written at page 1, the page marker now.
    clock += 25 * 60_000;
    expect(await scans.processPage(second.value, { messageId: 'm2', dequeueCount: 1 })).toBe('done');
    clock += 6 * 60_000;
    expect(await scans.watchdog()).not.toContain(scan.scanId);
    clock += 5 * 60_000;
    expect(await scans.watchdog()).toContain(scan.scanId);
    await queue.clearMessages();
    await services.queueService.getQueueClient('finalize-scan').clearMessages();
    await paged.close();
  });
});
