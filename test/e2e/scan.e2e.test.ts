import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAllResources, startTestHost, type ScanView, type TestHost } from '../support/localHost';

describe('a scan end to end through the local runtime', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({
      // auto: the VMs are one Resource Graph chain of 50-row pages
      emulator: {
        subscriptionCount: 2,
        connected: false,
        vmsPerSubscription: 260,
        pageSize: 50,
        graphPageSize: 50,
        graphQuota: false,
      },
    });
  });
  afterAll(async () => host?.stop());

  it('scans 520 VMs over several pages in two subscriptions and serves exactly the estate', async () => {
    const started = await host.api<{ scanId: string; status: string; statusUrl: string }>(
      'POST',
      '/api/scans',
    );
    expect(started.status).toBe(202);
    expect(started.body.statusUrl).toBe(`/api/scans/${started.body.scanId}`);
    const scan = await host.waitForScan(started.body.scanId);
    expect(scan.status).toBe('completed');
    expect(scan.tasks).toMatchObject({ total: 2, completed: 2, failed: 0 });
    // a first scan is the baseline: nothing counts as added
    expect(scan.counts).toMatchObject({ resources: 520, added: 0, modified: 0, removed: 0 });

    const items = await listAllResources(host, '', 77);
    const expected = host.emulator.estate.subscriptions.flatMap((s) => s.vms);
    expect(items).toHaveLength(expected.length);
    const byId = new Map(items.map((i) => [i.id.toLowerCase(), i]));
    for (const vm of expected) {
      const got = byId.get(vm.id.toLowerCase());
      expect(got, vm.id).toBeDefined();
      expect(got?.id).toBe(vm.id);
      expect(got?.name).toBe(vm.name);
      expect(got?.type).toBe('Microsoft.Compute/virtualMachines');
      expect(got?.subscriptionId).toBe(vm.subscriptionId.toLowerCase());
      expect(got?.status).toBe(vm.powerState === 'running' ? 'running' : 'stopped');
      expect(got?.properties.vmSize).toBe(vm.vmSize);
      expect(got?.properties.cores).toBeGreaterThan(0);
      expect(got?.scanId).toBe(started.body.scanId);
    }
    // Pages counted: 520 VMs in one chain at 50 a page = 11 pages.
    const run = await host.api<ScanView & { pages: number }>('GET', `/api/scans/${started.body.scanId}`);
    expect(run.body.pages).toBe(11);
  });

  it('filters by subscription, type (any case) and resource group, and reads one resource by key', async () => {
    const sub = host.emulator.estate.subscriptions[0];
    if (!sub) throw new Error('no subscription in the estate');
    const bySub = await listAllResources(host, `subscriptionId=${sub.subscriptionId.toUpperCase()}`);
    expect(bySub).toHaveLength(sub.vms.length);
    const byType = await listAllResources(host, 'type=microsoft.compute/VIRTUALMACHINES', 500);
    expect(byType).toHaveLength(520);
    const vm = sub.vms[0];
    if (!vm) throw new Error('no VM');
    const inRg = sub.vms.filter((v) => v.resourceGroup.toLowerCase() === vm.resourceGroup.toLowerCase());
    const byRg = await listAllResources(
      host,
      `subscriptionId=${sub.subscriptionId}&resourceGroup=${vm.resourceGroup.toUpperCase()}`,
    );
    expect(byRg.map((r) => r.id).sort()).toEqual(inRg.map((v) => v.id).sort());

    const one = await host.api<{
      id: string;
      properties: { networkInterfaceIds?: string[] };
      dependencies: { outgoing: Array<{ targetId: string; method: string }>; incoming: unknown[] };
    }>('GET', `/api/resources/${byRg[0]?.key}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(byRg[0]?.id);
    // a VM depends on its NICs (found from its own properties), and nothing depends on it here
    const nics = (one.body.properties.networkInterfaceIds ?? []).map((n) => n.toLowerCase());
    expect(nics.length).toBeGreaterThan(0);
    for (const nic of nics)
      expect(one.body.dependencies.outgoing.map((e) => e.targetId.toLowerCase())).toContain(nic);
    expect(one.body.dependencies.incoming).toEqual([]);
  });

  it('lists recent scans newest first', async () => {
    const second = await host.api<{ scanId: string }>('POST', '/api/scans', {
      resourceTypes: ['Microsoft.Compute/virtualMachines'],
    });
    const done = await host.waitForScan(second.body.scanId);
    expect(done.counts).toMatchObject({ resources: 520, added: 0, modified: 0, removed: 0 });
    const list = await host.api<{ items: Array<{ scanId: string }> }>('GET', '/api/scans');
    expect(list.body.items[0]?.scanId).toBe(second.body.scanId);
    expect(list.body.items.length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['POST', '/api/scans', '{"subscriptionIds": [', 400, 'ValidationError', 'not valid JSON'],
    ['POST', '/api/scans', { subscriptionIds: ['not-a-guid'] }, 400, 'ValidationError', 'subscriptionIds.0'],
    [
      'POST',
      '/api/scans',
      { resourceTypes: ['not a type'] },
      400,
      'ValidationError',
      'not an ARM resource type',
    ],
    ['POST', '/api/scans', { subscriptionId: 'x' }, 400, 'ValidationError', 'unknown field'],
    ['GET', '/api/resources?subscriptionId=123', undefined, 400, 'ValidationError', 'subscriptionId'],
    [
      'GET',
      '/api/resources?type=Microsoft.Foo',
      undefined,
      400,
      'ValidationError',
      'not an ARM resource type',
    ],
    ['GET', '/api/resources?limit=0', undefined, 400, 'ValidationError', 'limit'],
    [
      'GET',
      '/api/resources?continuationToken=garbage',
      undefined,
      400,
      'ValidationError',
      'continuationToken',
    ],
    ['GET', '/api/resources?color=red', undefined, 400, 'ValidationError', 'unknown field'],
    ['GET', '/api/resources/bm9wZQ', undefined, 404, 'NotFound', 'no resource'],
    ['GET', '/api/scans/nope', undefined, 404, 'NotFound', 'no scan'],
    ['DELETE', '/api/scans', undefined, 405, 'MethodNotAllowed', 'not allowed'],
  ])('%s %s answers %s with a JSON error', async (method, path, body, status, code, text) => {
    const res = await host.api<{ error: { code: string; message: string } }>(method, path, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toContain(text);
  });

  it('rejects a continuation token reused with other filters', async () => {
    const first = await host.api<{ continuationToken: string }>('GET', '/api/resources?limit=5');
    expect(first.body.continuationToken).toBeTruthy();
    const sub = host.emulator.estate.subscriptions[0]?.subscriptionId;
    const res = await host.api<{ error: { message: string } }>(
      'GET',
      `/api/resources?limit=5&subscriptionId=${sub}&continuationToken=${first.body.continuationToken}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('other filters');
  });
});
