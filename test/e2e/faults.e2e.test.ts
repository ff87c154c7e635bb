import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogs, listAllResources, startTestHost, type TestHost } from '../support/localHost';

async function eventually<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Faults in Resource Manager listings: this host lists through Resource Manager
 * (TOPDECK_INVENTORY_SOURCE=arm: per subscription, the generic inventory list and the VM listing it
 * finds a type for). The same faults in Resource Graph pages: test/scan/graphFaults.e2e.test.ts.
 */
/** A scan here lists the generic list, then the VMs it names: on a loaded shared machine that outlasts a minute. */
const LOADED_MS = 200_000;

describe('scans under faults (Resource Manager listings)', { timeout: LOADED_MS + 20_000 }, () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({
      emulator: { subscriptionCount: 2, connected: false, vmsPerSubscription: 150, pageSize: 40 },
      env: { TOPDECK_INVENTORY_SOURCE: 'arm' },
    });
  });
  afterAll(async () => host?.stop());
  afterEach(() => host.emulator.clearFaults());

  it('completes when a page fails twice with 500 and then succeeds', async () => {
    host.emulator.resetStats();
    host.emulator.addFault({ path: /virtualMachines$/, page: 2, statusOnly: false, status: 500, times: 2 });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId, LOADED_MS);
    expect(scan.status).toBe('completed');
    expect(scan.counts.resources).toBe(300);
    expect(host.emulator.stats().faults).toBe(2);
    expect(await listAllResources(host)).toHaveLength(300);
  });

  it('completes when a page outlasts the SDK retries once and the queue redelivers it', async () => {
    host.emulator.resetStats();
    // The SDK makes 4 attempts per delivery; 5 failures need a second delivery of the message.
    const sub = host.emulator.estate.subscriptions[1]?.subscriptionId as string;
    host.emulator.addFault({
      path: new RegExp(`${sub}/providers/Microsoft.Compute/virtualMachines$`),
      page: 3,
      statusOnly: true,
      status: 503,
      retryAfterSeconds: 0,
      times: 5,
    });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId, LOADED_MS);
    expect(scan.status).toBe('completed');
    expect(host.emulator.stats().faults).toBe(5);
    expect(host.runtime.stats.failures.discoverVirtualmachines).toBeGreaterThanOrEqual(1);
    const items = await listAllResources(host);
    expect(items).toHaveLength(300);
    const expected = new Map(
      host.emulator.estate.subscriptions.flatMap((s) => s.vms).map((v) => [v.id.toLowerCase(), v.powerState]),
    );
    for (const i of items)
      expect(i.status).toBe(expected.get(i.id.toLowerCase()) === 'running' ? 'running' : 'stopped');
  });

  it('ends partial with the reason when a page always fails, and deletes nothing found before', async () => {
    const before = await listAllResources(host);
    expect(before).toHaveLength(300);
    const failing = host.emulator.estate.subscriptions[0]?.subscriptionId as string;
    host.emulator.addFault({
      path: new RegExp(`${failing}/providers/Microsoft.Compute/virtualMachines$`),
      page: 2,
      statusOnly: false,
      status: 503,
      retryAfterSeconds: 0,
    });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId, LOADED_MS);
    expect(scan.status).toBe('partial');
    expect(scan.inventory).toMatchObject({ source: 'arm' });
    // per subscription: the inventory list and the VM listing
    expect(scan.tasks).toMatchObject({ total: 4, completed: 3, failed: 1 });
    expect(scan.errors[0]?.code).toBe('PoisonMessage');
    expect(scan.errors[0]?.message).toMatch(/poison queue; last error: .*503/);
    expect(scan.counts.removed).toBe(0);
    expect(host.runtime.stats.poisoned['discover-virtualmachines']).toBeGreaterThanOrEqual(1);
    const after = await listAllResources(host);
    expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
  });

  it('fails a task with a message naming the fix on 403, and skips an unregistered provider', async () => {
    const [a, b] = host.emulator.estate.subscriptions.map((s) => s.subscriptionId);
    host.emulator.addFault({
      path: new RegExp(`${a}/providers/Microsoft.Compute/virtualMachines$`),
      status: 403,
      code: 'AuthorizationFailed',
    });
    host.emulator.addFault({
      path: new RegExp(`${b}/providers/Microsoft.Compute/virtualMachines$`),
      status: 409,
      code: 'MissingSubscriptionRegistration',
    });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId, LOADED_MS);
    expect(scan.status).toBe('partial');
    expect(scan.tasks).toMatchObject({ failed: 1, skipped: 1 });
    expect(scan.errors[0]?.message).toContain(`assign it the Reader role on subscription ${a}`);
    expect(await listAllResources(host)).toHaveLength(300);
  });

  it('skips one VM in an unexpected shape, keeps the rest of its page, and removes nothing for that task', async () => {
    const vm = host.emulator.estate.subscriptions[0]?.vms[7];
    if (!vm) throw new Error('no VM');
    host.emulator.driftVm(new RegExp(`^${vm.name}$`), (body) => ({
      ...body,
      properties: { ...(body.properties as object), timeCreated: 'not-a-date' },
    }));
    try {
      const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
      const scan = await host.waitForScan(body.scanId, LOADED_MS);
      expect(scan.status).toBe('partial');
      expect(scan.tasks).toMatchObject({ completed: 4, failed: 0 });
      expect(scan.counts.resources).toBe(299);
      const skipped = scan.errors.find((e) => e.code === 'ItemsSkipped');
      expect(skipped?.count).toBe(1);
      expect(skipped?.message).toContain(vm.id);
      expect(skipped?.message).toContain('Invalid time value');
      // The drifted VM's row from an earlier scan is still there: nothing was removed.
      expect(scan.counts.removed).toBe(0);
      const items = await listAllResources(host);
      expect(items).toHaveLength(300);
      expect(items.find((i) => i.id === vm.id)?.scanId).not.toBe(body.scanId);
    } finally {
      host.emulator.driftVm(undefined);
    }
  });

  it('drops a malformed queue message with a clear log line instead of retrying it', async () => {
    const queue = host.services.queueService.getQueueClient('discover-virtualmachines');
    await queue.sendMessage(Buffer.from('{"kind":"page","scanId":42}').toString('base64'));
    const line = await eventually(async () =>
      capturedLogs.find((l) => l.includes('malformed page message dropped')),
    );
    expect(JSON.parse(line)).toMatchObject({ level: 'error', queue: 'discover-virtualmachines' });
    expect(JSON.parse(line).reason).toContain('scanId');
    const poison = host.services.queueService.getQueueClient('discover-virtualmachines-poison');
    expect((await poison.getProperties()).approximateMessagesCount).toBe(0);
  });

  // Last: it leaves that subscription's circuit open for its recovery time.
  it('opens the subscription circuit after repeated server errors, fails fast, and names the dependency', async () => {
    const sub = host.emulator.estate.subscriptions[1]?.subscriptionId as string;
    host.emulator.resetStats();
    host.emulator.addFault({
      path: new RegExp(`${sub}/providers/Microsoft.Compute/virtualMachines$`),
      status: 500,
    });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId, LOADED_MS);
    expect(scan.status).toBe('partial');
    expect(
      capturedLogs.some((l) => l.includes('Resource Manager circuit opened') && l.includes(`arm:${sub}`)),
    ).toBe(true);
    expect(scan.errors[0]?.message).toContain('CircuitOpen');
    // Fail-fast: the 3 deliveries made far fewer than the 3 x 4 x 2 attempts an open circuit saves.
    expect(host.emulator.stats().faults).toBeLessThan(24);
  });
});
