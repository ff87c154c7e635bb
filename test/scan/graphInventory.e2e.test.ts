import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAllResources, startTestHost, type TestHost } from '../support/localHost';

type ApiItem = Awaited<ReturnType<typeof listAllResources>>[number];

/** A resource as the scan found it: everything but the fields that name the scan or its time. */
function content(item: ApiItem): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  for (const k of ['scanId', 'lastSeenAt', 'refreshedAt', 'discoveredAt', 'firstSeenAt']) delete out[k];
  return out;
}

const byId = (items: ApiItem[]) => new Map(items.map((i) => [i.id.toLowerCase(), content(i)]));
const GRAPH = /providers\/Microsoft\.ResourceGraph\/resources$/i;

/** Resource Manager list routes a Graph page stands in for (per-item reads and size lists are not among them). */
const LISTINGS_GRAPH_REPLACES = [
  'resources.list',
  'virtualMachines.listAll',
  'virtualNetworks.listAll',
  'networkSecurityGroups.listAll',
  'vaults.listBySubscription',
];

describe('the Resource Graph path: Graph pages as the scan page messages', () => {
  let host: TestHost;
  let armHost: TestHost;
  /** The same seed gives the same estate: one host reads it from Graph, the other from Resource Manager. */
  const estateOptions = { subscriptionCount: 1, vmsPerSubscription: 2, pageSize: 80 };

  beforeAll(async () => {
    [host, armHost] = await Promise.all([
      startTestHost({ emulator: estateOptions, env: { TOPDECK_INVENTORY_SOURCE: 'resourcegraph' } }),
      startTestHost({ emulator: estateOptions, env: { TOPDECK_INVENTORY_SOURCE: 'arm' } }),
    ]);
  });
  afterAll(async () => Promise.all([host?.stop(), armHost?.stop()]));

  it('reads the estate from Graph pages, mapped as Resource Manager listings map it, field by field', async () => {
    host.emulator.resetStats();
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId, 150_000);
    expect(scan.status).toBe('completed');
    expect(scan.inventory).toMatchObject({ source: 'resourcegraph' });
    // what the scan saw is as of Graph's answer, which it records
    const snapshotAt = Date.parse(String((scan.inventory as { snapshotAt?: string }).snapshotAt));
    expect(snapshotAt).toBeGreaterThanOrEqual(Date.parse(String(scan.startedAt)) - 1000);
    expect(snapshotAt).toBeLessThanOrEqual(Date.parse(String(scan.completedAt)));
    const byRoute = host.emulator.stats().byRoute as Record<string, number>;
    // The generic list is not the inventory's here; the one list left is the Kubernetes extension's
    // look-up of user-assigned identities by client id (workload identity), filtered to that type.
    const inventoryLists = host.emulator
      .requestLog()
      .filter((r) => /\/subscriptions\/[^/]+\/resources$/i.test(r.path))
      .filter((r) => !/userAssignedIdentities/i.test(decodeURIComponent(r.query)));
    expect(inventoryLists).toEqual([]);
    for (const route of LISTINGS_GRAPH_REPLACES.filter((r) => r !== 'resources.list'))
      expect(byRoute[route] ?? 0, route).toBe(0);
    const graphItems = await listAllResources(host);
    const estate = host.emulator.estate.subscriptions[0];
    const expected = [...(estate?.vms ?? []), ...(estate?.resources ?? [])].map((r) => r.id.toLowerCase());
    // the Azure resources (the objects inside the AKS cluster come from the Kubernetes extension)
    const azureItems = graphItems.filter(
      (i) => !/^microsoft\.containerservice\/managedclusters\//i.test(String(i.type)),
    );
    expect(azureItems.map((i) => i.id.toLowerCase()).sort()).toEqual(expected.sort());
    // a VM's power state from Graph's instance view, its size details from the location's size list
    const vms = graphItems.filter((i) => String(i.type) === 'Microsoft.Compute/virtualMachines');
    expect(vms.length).toBe(estate?.vms.length);
    for (const vm of vms) {
      const props = vm.properties as Record<string, unknown>;
      expect(props.powerState, vm.id).toMatch(/^(running|deallocated|stopped)$/);
      expect(props.cores, vm.id).toBeGreaterThan(0);
    }
    // one size list per location, no per-VM reads
    expect(byRoute['virtualMachineSizes.list']).toBe(new Set(estate?.vms.map((v) => v.location)).size);

    const armScan = await armHost.waitForScan(
      (await armHost.api<{ scanId: string }>('POST', '/api/scans')).body.scanId,
      150_000,
    );
    expect(armScan.status).toBe('completed');
    expect(armScan.inventory).toMatchObject({ source: 'arm' });
    expect(armScan.counts.resources).toBe(scan.counts.resources);
    const arm = byId(await listAllResources(armHost));
    const graph = byId(graphItems);
    expect([...arm.keys()].sort()).toEqual([...graph.keys()].sort());
    for (const [id, item] of graph) expect(arm.get(id), id).toEqual(item);
    // two whole scans of the demo estate's make-up, one after the other, on a shared machine
  }, 320_000);
});

describe('Resource Graph chains: paging and the quota', () => {
  let host: TestHost;
  /** 18 security groups and 6 identities, 4 rows a Graph page: one chain (both types) of 6 pages. */
  const TYPES = [
    'Microsoft.Network/networkSecurityGroups',
    'Microsoft.ManagedIdentity/userAssignedIdentities',
  ];

  beforeAll(async () => {
    host = await startTestHost({
      emulator: {
        subscriptionCount: 1,
        vmsPerSubscription: 1,
        graphPageSize: 4,
        // 3 queries per 2 s: the count and the chain's 6 pages outrun it, so Graph answers 429 and the scan waits
        graphQuota: { queries: 3, windowMs: 2000 },
      },
      env: { TOPDECK_INVENTORY_SOURCE: 'resourcegraph' },
    });
  });
  afterAll(async () => host?.stop());

  const scanOf = async () => {
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans', { resourceTypes: TYPES });
    return host.waitForScan(body.scanId);
  };

  it('follows each chain across its pages and honours a 429', async () => {
    host.emulator.resetStats();
    const scan = await scanOf();
    expect(scan.status).toBe('completed');
    expect(scan.pages).toBe(6);
    expect(scan.tasks).toMatchObject({ total: 2, completed: 2 });
    const graph = host.emulator.requestLog().filter((r) => GRAPH.test(r.path));
    expect(graph.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    const items = await listAllResources(host);
    const estate = host.emulator.estate.subscriptions[0];
    const expected = (estate?.resources ?? [])
      .filter((r) => TYPES.some((t) => t.toLowerCase() === r.type.toLowerCase()))
      .map((r) => r.id.toLowerCase());
    expect(expected.length).toBe(18 + 6);
    expect(items.map((i) => i.id.toLowerCase()).sort()).toEqual(expected.sort());
  });
});
