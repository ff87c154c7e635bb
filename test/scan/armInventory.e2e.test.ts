import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAllResources, startTestHost, type TestHost } from '../support/localHost';

/** Items per page of the emulator's lists: the generic list spans a few pages. */
const PAGE_SIZE = 80;

type ApiItem = Awaited<ReturnType<typeof listAllResources>>[number];

/** A resource as the scan found it: everything but the fields that name the scan or its time. */
function content(item: ApiItem): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  for (const k of ['scanId', 'lastSeenAt', 'refreshedAt', 'discoveredAt', 'firstSeenAt']) delete out[k];
  return out;
}

const byId = (items: ApiItem[]) => new Map(items.map((i) => [i.id.toLowerCase(), content(i)]));

describe('the Resource Manager path (no Resource Graph) misses nothing', () => {
  let host: TestHost;
  let sub: string;
  const GRAPH = /providers\/Microsoft\.ResourceGraph\/resources$/i;

  beforeAll(async () => {
    host = await startTestHost({
      emulator: { subscriptionCount: 1, vmsPerSubscription: 1, pageSize: PAGE_SIZE },
    });
    sub = host.emulator.estate.subscriptions[0]?.subscriptionId as string;
  });
  afterAll(async () => host?.stop());

  it('finds every type with Graph down (404), records why, and matches a Graph scan field by field', async () => {
    host.emulator.addFault({ path: GRAPH, status: 404 });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    host.emulator.clearFaults();
    expect(scan.status).toBe('completed');
    expect(scan.inventory).toMatchObject({ source: 'arm' });
    expect((scan.inventory as { reason: string }).reason).toMatch(
      /^Resource Graph did not answer \(404 .*Resource Manager listings used$/,
    );
    // a first scan is the baseline: one item for the subscription, none per resource or edge
    expect(scan.counts.dependencies).toBeGreaterThan(0);
    const history = await host.api<{ items: Array<{ kind: string; resourceId: string }> }>(
      'GET',
      `/api/changes?scanId=${body.scanId}&limit=1000`,
    );
    expect(history.body.items.map((c) => `${c.kind} ${c.resourceId}`)).toEqual([
      `baseline /subscriptions/${sub}`,
    ]);
    const armItems = await listAllResources(host);
    const estate = host.emulator.estate.subscriptions[0];
    const expected = [...(estate?.vms ?? []), ...(estate?.resources ?? [])].map((r) => r.id.toLowerCase());
    // The Azure resources (the Kubernetes objects inside the estate's AKS cluster come from its own task)
    const azureItems = armItems.filter(
      (i) => !/^microsoft\.containerservice\/managedclusters\//i.test(String(i.type)),
    );
    expect(azureItems.map((i) => i.id.toLowerCase()).sort()).toEqual(expected.sort());
    // the types the issue found missing without Graph
    const types = new Set(armItems.map((i) => String(i.type).toLowerCase()));
    for (const t of [
      'microsoft.insights/components',
      'microsoft.operationalinsights/workspaces',
      'microsoft.managedidentity/userassignedidentities',
    ])
      expect(types).toContain(t);

    const graphScan = await host.waitForScan(
      (await host.api<{ scanId: string }>('POST', '/api/scans')).body.scanId,
    );
    // auto with Graph answering: Graph pages, so the scan records Graph's snapshot time
    expect(graphScan.inventory).toEqual({
      source: 'resourcegraph',
      reason: 'Resource Graph answered (TOPDECK_INVENTORY_SOURCE=auto)',
      snapshotAt: expect.any(String),
    });
    // the same estate through the other source: nothing added, modified or removed
    expect(graphScan.counts).toMatchObject({ added: 0, modified: 0, removed: 0 });
    const graphItems = await listAllResources(host);
    const arm = byId(armItems);
    const graph = byId(graphItems);
    expect([...graph.keys()].sort()).toEqual([...arm.keys()].sort());
    for (const [id, item] of arm) expect(graph.get(id), id).toEqual(item);
  });

  it('reads the generic list once per subscription and scan, each page once', async () => {
    host.emulator.addFault({ path: GRAPH, status: 403 });
    host.emulator.resetStats();
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    host.emulator.clearFaults();
    expect(scan.status).toBe('completed');
    const estate = host.emulator.estate.subscriptions[0];
    const total = (estate?.vms.length ?? 0) + (estate?.resources.length ?? 0);
    const genericPages = Math.ceil(total / PAGE_SIZE);
    const byRoute = host.emulator.stats().byRoute as Record<string, number>;
    expect(byRoute['resources.list']).toBe(genericPages);
  });

  it('a failing generic list makes the scan partial with the error, and removes nothing', async () => {
    const before = await listAllResources(host);
    host.emulator.addFault({ path: GRAPH, status: 400 });
    host.emulator.addFault({
      path: new RegExp(`/subscriptions/${sub}/resources$`, 'i'),
      page: 2,
      status: 403,
    });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    host.emulator.clearFaults();
    expect(scan.status).toBe('partial');
    expect(scan.errors[0]?.message).toMatch(
      /^the generic resource list of subscription .* failed, so types without a dedicated listing are missing from this scan: the identity may not read/,
    );
    expect(scan.counts.removed).toBe(0);
    expect((await listAllResources(host)).length).toBe(before.length);
  });
});
