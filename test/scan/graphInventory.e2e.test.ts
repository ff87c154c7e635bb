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

  beforeAll(async () => {
    host = await startTestHost({
      emulator: { subscriptionCount: 1, vmsPerSubscription: 2, pageSize: 80 },
    });
  });
  afterAll(async () => host?.stop());

  it('reads the estate from Graph pages, mapped as Resource Manager listings map it, field by field', async () => {
    host.emulator.resetStats();
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    expect(scan.status).toBe('completed');
    expect(scan.inventory).toMatchObject({ source: 'resourcegraph' });
    const byRoute = host.emulator.stats().byRoute as Record<string, number>;
    for (const route of LISTINGS_GRAPH_REPLACES) expect(byRoute[route] ?? 0, route).toBe(0);
    const graphItems = await listAllResources(host);
    const estate = host.emulator.estate.subscriptions[0];
    const expected = [...(estate?.vms ?? []), ...(estate?.resources ?? [])].map((r) => r.id.toLowerCase());
    expect(graphItems.map((i) => i.id.toLowerCase()).sort()).toEqual(expected.sort());
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

    host.emulator.addFault({ path: GRAPH, status: 404 });
    const armScan = await host.waitForScan(
      (await host.api<{ scanId: string }>('POST', '/api/scans')).body.scanId,
    );
    host.emulator.clearFaults();
    expect(armScan.status).toBe('completed');
    expect(armScan.inventory).toMatchObject({ source: 'arm' });
    // the same estate through the other source: nothing added, modified or removed
    expect(armScan.counts).toMatchObject({ added: 0, modified: 0, removed: 0 });
    const arm = byId(await listAllResources(host));
    const graph = byId(graphItems);
    expect([...arm.keys()].sort()).toEqual([...graph.keys()].sort());
    for (const [id, item] of graph) expect(arm.get(id), id).toEqual(item);
  });
});
