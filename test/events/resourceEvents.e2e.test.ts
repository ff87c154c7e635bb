import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeItem } from '../../src/changes/ChangeItem';
import { postEstateChange } from '../../src/emulator/postEstateChange';
import type { EstateChangeRequest } from '../../src/emulator/estateChanges';
import { RESOURCE_EVENTS_QUEUE } from '../../src/events/ResourceEvent';
import { encodeMessage } from '../../src/storage/queues';
import { resourceKeyFromId } from '../../src/storage/keys';
import { launchBrowser } from '../support/browser';
import { startTestHost, type TestHost } from '../support/localHost';
import { until } from '../support/eventTests';

interface ApiResource {
  id: string;
  key: string;
  properties: Record<string, unknown>;
  tags: Record<string, string>;
  refreshedAt?: string;
  changedBy?: string;
  dependencies?: { outgoing: Array<{ targetId: string }>; incoming: Array<{ sourceId: string }> };
}

/** Polls until `probe` answers something truthy, in at most `ms` milliseconds. */
describe('resource events through the local runtime and the emulator change route', () => {
  let host: TestHost;
  const change = (c: EstateChangeRequest) => postEstateChange(host.emulator.endpoint, host.emulator.caPem, c);
  const resource = async (id: string) => {
    const r = await host.api<ApiResource>('GET', `/api/resources/${resourceKeyFromId(id)}`);
    return r.status === 200 ? r.body : undefined;
  };
  const changes = async (query: string) => {
    const r = await host.api<{ items: ChangeItem[] }>('GET', `/api/changes?${query}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.items;
  };
  const consumer = () => host.services.resourceEvents;

  beforeAll(async () => {
    host = await startTestHost({ emulator: { subscriptionCount: 1, vmsPerSubscription: 12 } });
    const started = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(started.body.scanId);
    expect(scan.status).toBe('completed');
  });
  afterAll(async () => host?.stop());

  it('a VM resized shows its new size, with who did it, and the row is what a scan stores', async () => {
    const applied = await change({ kind: 'vmSize', actor: { upn: 'ana@contoso.example', name: 'Ana' } });
    const newSize = host.emulator.estate.subscriptions[0]?.vms.find(
      (v) => v.id.toLowerCase() === applied.resourceId.toLowerCase(),
    )?.vmSize;
    const r = await until('the new size', async () => {
      const x = await resource(applied.resourceId);
      return x?.properties.vmSize === newSize ? x : undefined;
    });
    expect(r.changedBy).toBe('ana@contoso.example');
    expect(Date.parse(r.refreshedAt ?? '')).toBeGreaterThanOrEqual(applied.at - 1000);
    const items = await changes(`resourceId=${encodeURIComponent(applied.resourceId)}`);
    const modified = items.find((c) => c.kind === 'modified' && c.trigger === 'event');
    expect(modified).toMatchObject({
      actor: 'ana@contoso.example',
      operation: 'Microsoft.Compute/virtualMachines/write',
      trigger: 'event',
    });
    expect(modified?.correlationId).toBe(
      (applied.events[0]?.data as { correlationId: string }).correlationId,
    );
    expect(modified?.paths?.map((p) => p.path)).toContain('properties.vmSize');
    // the whole history filtered by the actor; nobody else's changes
    const byActor = await changes('actor=ANA@contoso.example');
    expect(byActor.some((c) => c.resourceId === applied.resourceId)).toBe(true);
    expect(byActor.every((c) => c.actor === 'ana@contoso.example')).toBe(true);
    expect(await changes('actor=nobody@contoso.example')).toEqual([]);
    // a scan now finds nothing to change: the event wrote the row a scan would (same hash)
    const scan = await host.api<{ scanId: string }>('POST', '/api/scans', {
      resourceTypes: ['Microsoft.Compute/virtualMachines'],
    });
    const view = await host.waitForScan(scan.body.scanId);
    expect(view.counts).toMatchObject({ modified: 0, added: 0, removed: 0 });
  });

  it('an app setting re-pointed to another host moves the configuration edge (both ends)', async () => {
    const applied = await change({ kind: 'appSetting', actor: { name: 'Deploy Bot' } });
    const site = host.emulator.estate.subscriptions[0]?.resources.find(
      (r) => r.id === applied.resourceId,
    ) as unknown as {
      appSettings: Record<string, string>;
    };
    const host$ = (site.appSettings.REDIS_CONNECTION ?? '').split(':')[0] ?? '';
    const redis = host.emulator.estate.subscriptions[0]?.resources.find(
      (r) => r.type.toLowerCase() === 'microsoft.cache/redis' && host$.startsWith(`${r.name}.`),
    );
    expect(redis).toBeDefined();
    const s = await until('the edge to the new cache', async () => {
      const x = await resource(applied.resourceId);
      return x?.dependencies?.outgoing.some((e) => e.targetId.toLowerCase() === redis?.id.toLowerCase())
        ? x
        : undefined;
    });
    expect(s.changedBy).toBe('Deploy Bot');
    const target = await resource(redis?.id as string);
    expect(
      target?.dependencies?.incoming.some(
        (e) => e.sourceId.toLowerCase() === applied.resourceId.toLowerCase(),
      ),
    ).toBe(true);
    const items = await changes(`resourceId=${encodeURIComponent(applied.resourceId)}`);
    expect(
      items.some((c) => c.kind === 'edgeAdded' && c.targetId === redis?.id && c.actor === 'Deploy Bot'),
    ).toBe(true);
    expect(items.some((c) => c.kind === 'edgeRemoved' && c.trigger === 'event')).toBe(true);
    expect(JSON.stringify(items)).not.toContain('password=');
  });

  it('a deleted disk leaves the API with its edges; a created public IP appears (CloudEvents, an app)', async () => {
    const deleted = await change({ kind: 'deleteDisk', actor: { appId: 'spn-1234' }, schema: 'cloudevents' });
    await until('the disk gone', async () => !(await resource(deleted.resourceId)));
    const removed = (await changes(`resourceId=${encodeURIComponent(deleted.resourceId)}`)).find(
      (c) => c.kind === 'removed',
    );
    expect(removed).toMatchObject({
      trigger: 'event',
      actor: 'spn-1234',
      operation: 'Microsoft.Compute/disks/delete',
    });
    const created = await change({ kind: 'createPublicIp' });
    const pip = await until('the public IP', () => resource(created.resourceId));
    expect(pip.changedBy).toBe('demo.operator@contoso.example');
    expect((await changes(`resourceId=${encodeURIComponent(created.resourceId)}`))[0]).toMatchObject({
      kind: 'added',
    });
  });

  it('drops a malformed message at once, ignores other types, and a redelivered event changes nothing', async () => {
    const before = structuredClone(consumer().counts);
    const queue = host.services.queueService.getQueueClient(RESOURCE_EVENTS_QUEUE);
    await queue.sendMessage(Buffer.from('this is not an event').toString('base64'));
    const roleAssignment = {
      id: 'ra-1',
      topic: '/subscriptions/x',
      subject: `/subscriptions/${host.emulator.estate.subscriptions[0]?.subscriptionId}/providers/Microsoft.Authorization/roleAssignments/r1`,
      eventType: 'Microsoft.Resources.ResourceWriteSuccess',
      eventTime: new Date().toISOString(),
      dataVersion: '2',
      metadataVersion: '1',
      data: {},
    };
    await queue.sendMessage(encodeMessage(roleAssignment));
    const applied = await change({ kind: 'tags', tags: { owner: 'team-a' } });
    await until(
      'the tag',
      async () => (await resource(applied.resourceId))?.tags.owner === 'team-a' || undefined,
    );
    const history = (await changes(`resourceId=${encodeURIComponent(applied.resourceId)}`)).length;
    // the same event again (Event Grid delivers at least once)
    await queue.sendMessage(encodeMessage(applied.events));
    await until(
      'the redelivery handled',
      async () => consumer().counts.messages >= before.messages + 4 || undefined,
    );
    await until('outcomes counted', async () => {
      const c = consumer().counts;
      return c.malformed === before.malformed + 1 && c.ignored === before.ignored + 1 ? c : undefined;
    });
    expect((await changes(`resourceId=${encodeURIComponent(applied.resourceId)}`)).length).toBe(history);
    const poison = host.services.queueService.getQueueClient(`${RESOURCE_EVENTS_QUEUE}-poison`);
    expect((await poison.getProperties()).approximateMessagesCount ?? 0).toBe(0);
  });

  const writeEvent = (subject: string, eventTime: string) => ({
    id: `t-${Math.random().toString(36).slice(2)}`,
    topic: '/subscriptions/x',
    subject,
    eventType: 'Microsoft.Resources.ResourceWriteSuccess',
    eventTime,
    dataVersion: '2',
    metadataVersion: '1',
    data: { claims: { name: 'Tester' }, operationName: 'Microsoft.Test/write' },
  });
  const getsOf = (id: string, since: number) =>
    host.emulator
      .requestLog()
      .filter((r) => r.at >= since && r.method === 'GET' && r.path.toLowerCase() === id.toLowerCase()).length;

  it('a burst of events for one resource is one read; an event older than the row changes nothing', async () => {
    const vm = host.emulator.estate.subscriptions[0]?.vms[3]?.id as string;
    const queue = host.services.queueService.getQueueClient(RESOURCE_EVENTS_QUEUE);
    const before = structuredClone(consumer().counts);
    const since = Date.now();
    const now = new Date().toISOString();
    await Promise.all(
      Array.from({ length: 5 }, () => queue.sendMessage(encodeMessage([writeEvent(vm, now)]))),
    );
    // every event of the burst has its outcome (the shared refresh has ended), however loaded the machine
    const outcomes = (c: typeof before) => Object.values(c.outcomes).reduce((n, k) => n + (k ?? 0), 0);
    await until(
      'the burst refreshed',
      async () => outcomes(consumer().counts) >= outcomes(before) + 5 || undefined,
    );
    expect(getsOf(vm, since)).toBe(1);
    const stale = structuredClone(consumer().counts);
    const at = Date.now();
    await queue.sendMessage(encodeMessage(writeEvent(vm, new Date(Date.now() - 3_600_000).toISOString())));
    await until('the stale event handled', async () => consumer().counts.events > stale.events || undefined);
    await until(
      'its outcome',
      async () => (consumer().counts.outcomes.stale ?? 0) > (stale.outcomes.stale ?? 0) || undefined,
    );
    expect(getsOf(vm, at)).toBe(0);
  });

  it('an event for a subnet refreshes its virtual network', async () => {
    const vnet = host.emulator.estate.subscriptions[0]?.resources.find(
      (r) => r.type === 'Microsoft.Network/virtualNetworks',
    ) as { id: string; resourceGroup: string };
    const since = Date.now();
    const queue = host.services.queueService.getQueueClient(RESOURCE_EVENTS_QUEUE);
    await queue.sendMessage(
      encodeMessage(writeEvent(`${vnet.id}/subnets/snet-new`, new Date().toISOString())),
    );
    // the network read by id: one GET of the network itself, no listing of its group's networks
    await until(
      'the network re-read',
      async () =>
        host.emulator
          .requestLog()
          .some(
            (r) => r.at >= since && r.method === 'GET' && r.path.toLowerCase() === vnet.id.toLowerCase(),
          ) || undefined,
    );
    expect(
      host.emulator
        .requestLog()
        .filter((r) => r.at >= since && /\/providers\/microsoft\.network\/virtualnetworks$/i.test(r.path)),
    ).toEqual([]);
  });

  it('a resource an event created while a scan ran survives that scan', async () => {
    // the sites listing fails for a while, so the scan is still running after public IPs are listed
    host.emulator.addFault({ path: /providers\/Microsoft\.Web\/sites$/, status: 503, times: 5 });
    const started = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scanId = started.body.scanId;
    await until(
      'public IPs listed',
      async () => {
        const tasks = await host.services.store.listTasks(scanId);
        return (
          tasks.some((t) => /publicipaddresses/i.test(t.resourceType) && t.status === 'completed') ||
          undefined
        );
      },
      30_000,
    );
    const scanRow = await host.services.store.getScan(scanId);
    expect(scanRow?.status).toBe('running');
    const created = await change({ kind: 'createPublicIp' });
    await until('the public IP', () => resource(created.resourceId));
    const view = await host.waitForScan(scanId);
    host.emulator.clearFaults();
    expect(view.status).toBe('completed');
    expect(await resource(created.resourceId)).toBeDefined();
  });

  it('topdeck demo change (the built CLI) changes the estate; topdeck changes --actor shows who did it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-demo-'));
    fs.writeFileSync(
      path.join(dir, 'demo-emulator.json'),
      JSON.stringify({ port: Number(new URL(host.emulator.endpoint).port), caPem: host.emulator.caPem }),
    );
    const bin = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'topdeck.js');
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, [bin, ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        ),
      );
    const since = new Date(Date.now() - 1000).toISOString();
    const r = await run([
      '--json',
      'demo',
      'change',
      'vmSize',
      '--data-dir',
      dir,
      '--upn',
      'cli.user@contoso.example',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const applied = JSON.parse(r.stdout) as { resourceId: string };
    await until(
      'the change',
      async () => (await resource(applied.resourceId))?.changedBy === 'cli.user@contoso.example' || undefined,
    );
    const table = await run([
      '--url',
      host.baseUrl,
      'changes',
      '--since',
      since,
      '--actor',
      'cli.user@contoso.example',
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/BY/);
    expect(table.stdout).toContain('cli.user@contoso.example');
    const bad = await run(['demo', 'change', 'paintItRed', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/use one of vmSize, tags, appSetting, deleteDisk, createPublicIp/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the page's Changes view says who made an event's change and with which operation", async () => {
    await change({ kind: 'tags', actor: { upn: 'page.viewer@contoso.example' }, tags: { seenOn: 'page' } });
    await until(
      'the change recorded',
      async () => (await changes('actor=page.viewer@contoso.example')).length > 0 || undefined,
    );
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(`${host.baseUrl}/api/ui#changes`);
      // An event's changes are one line of the feed naming the operation and who made it ...
      const group = page
        .locator('[data-testid=change-group]', { hasText: 'page.viewer@contoso.example' })
        .first();
      await group.waitFor({ state: 'attached', timeout: 15_000 });
      expect(await group.locator('summary').textContent()).toMatch(
        /event Microsoft\.Compute\/virtualMachines\/write by page\.viewer@contoso\.example/,
      );
      // ... that opens to the changes, each saying the same
      await group.locator('summary').click();
      expect(await group.locator('[data-testid=change]').first().textContent()).toMatch(
        /by page\.viewer@contoso\.example \(Microsoft\.Compute\/virtualMachines\/write\)/,
      );
    } finally {
      await browser.close();
    }
  });
});
