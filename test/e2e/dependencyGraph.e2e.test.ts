import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Edge } from '../../src/dependencies/Edge';
import { startTestHost, type ScanView, type TestHost } from '../support/localHost';

type Body = { id?: string; properties?: Record<string, unknown> };
const lower = (s: string) => s.toLowerCase();
const arr = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? (v as Record<string, unknown>[]) : [];
const idOf = (v: unknown): string | undefined =>
  v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string'
    ? (v as { id: string }).id
    : undefined;

/**
 * The edges the demo estate's raw Resource Manager bodies imply between an application's tiers,
 * read from the emulator's ground truth (not from what discovery mapped).
 */
function expectedEdges(host: TestHost): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const sub of host.emulator.estate.subscriptions) {
    for (const vm of sub.vms) {
      const body = vm.body as unknown as Body;
      const nics = arr(
        (body.properties?.networkProfile as Record<string, unknown> | undefined)?.networkInterfaces,
      );
      for (const n of nics) if (idOf(n)) out.push(['VM → NIC', vm.id, idOf(n) as string]);
    }
    for (const r of sub.resources) {
      const b = r.body() as Body;
      const p = b.properties ?? {};
      const t = lower(r.type);
      if (t === 'microsoft.network/networkinterfaces')
        for (const c of arr(p.ipConfigurations)) {
          const subnet = idOf((c.properties as Record<string, unknown> | undefined)?.subnet);
          if (subnet) out.push(['NIC → subnet', r.id, subnet]);
        }
      if (t === 'microsoft.network/virtualnetworks')
        for (const s of arr(p.subnets)) if (idOf(s)) out.push(['subnet → VNet', idOf(s) as string, r.id]);
      if (t === 'microsoft.network/loadbalancers')
        for (const pool of arr(p.backendAddressPools))
          for (const c of arr(
            (pool.properties as Record<string, unknown> | undefined)?.backendIPConfigurations,
          )) {
            const nic = idOf(c)?.split('/ipConfigurations/')[0];
            if (nic && /networkInterfaces/i.test(nic)) out.push(['LB → backend NIC', r.id, nic]);
          }
      if (t === 'microsoft.network/privateendpoints')
        for (const c of arr(p.privateLinkServiceConnections)) {
          const target = (c.properties as Record<string, unknown> | undefined)?.privateLinkServiceId;
          if (typeof target === 'string') out.push(['private endpoint → target', r.id, target]);
        }
      if (t === 'microsoft.web/sites' && typeof p.serverFarmId === 'string')
        out.push(['web app → plan', r.id, p.serverFarmId]);
      if (t === 'microsoft.sql/servers/databases')
        out.push(['SQL database → server', r.id, r.id.split('/databases/')[0] as string]);
    }
  }
  return out;
}

describe('the dependency graph of the demo estate, end to end', () => {
  let host: TestHost;
  let scan: ScanView;
  let edges: Edge[];
  let nodes: Array<{ id: string; type: string; external: boolean }>;

  beforeAll(async () => {
    host = await startTestHost();
    const started = await host.api<{ scanId: string }>('POST', '/api/scans');
    scan = await host.waitForScan(started.body.scanId, 180_000);
    const graph = await host.api<{ nodes: typeof nodes; edges: Edge[] }>('GET', '/api/graph');
    expect(graph.status).toBe(200);
    ({ nodes, edges } = graph.body);
  }, 240_000);
  afterAll(async () => host?.stop());

  it('counts the edges in the scan record and serves them all in the graph', () => {
    expect(scan.counts.dependencies).toBeGreaterThan(1000);
    expect(edges).toHaveLength(scan.counts.dependencies);
  });

  it("has every edge the estate's own bodies imply between an application's tiers", () => {
    const have = new Set(edges.map((e) => `${lower(e.sourceId)}>${lower(e.targetId)}`));
    const expected = expectedEdges(host);
    const kinds = new Set(expected.map(([k]) => k));
    for (const k of [
      'VM → NIC',
      'NIC → subnet',
      'subnet → VNet',
      'LB → backend NIC',
      'private endpoint → target',
      'web app → plan',
      'SQL database → server',
    ])
      expect(kinds, k).toContain(k);
    const missing = expected.filter(([, s, t]) => !have.has(`${lower(s)}>${lower(t)}`));
    expect(missing.slice(0, 10)).toEqual([]);
  });

  it('links web apps to the data stores their settings name, by host, never keeping a value', () => {
    const config = edges.filter((e) =>
      ['connection-string', 'app-setting', 'keyvault-reference'].includes(e.method),
    );
    expect(new Set(config.map((e) => e.method))).toEqual(
      new Set(['connection-string', 'app-setting', 'keyvault-reference']),
    );
    const targetTypes = new Set(
      config.map(
        (e) => nodes.find((n) => lower(n.id) === lower(e.targetId))?.type.toLowerCase() ?? 'missing',
      ),
    );
    for (const t of [
      'microsoft.sql/servers',
      'microsoft.storage/storageaccounts',
      'microsoft.keyvault/vaults',
    ])
      expect(targetTypes, t).toContain(t);
    for (const e of config) expect(e.evidence).toMatch(/^setting /);
    const json = JSON.stringify(edges);
    for (const secret of host.emulator.estate.secrets)
      expect(json.includes(secret), 'a fake secret in an edge').toBe(false);
  });

  it('points no edge at a resource that does not exist, unless the node is marked external', () => {
    const byId = new Map(nodes.map((n) => [lower(n.id), n]));
    const dangling = edges.filter((e) => {
      const n = byId.get(lower(e.targetId));
      return !n || (n.external && !e.targetId.startsWith('external:'));
    });
    expect(dangling.slice(0, 10)).toEqual([]);
    expect(edges.every((e) => byId.has(lower(e.sourceId)))).toBe(true);
  });

  it('answers the blast radius of a subnet: everything that breaks if it goes', async () => {
    const subnetEdge = edges.find(
      (e) => /\/subnets\//i.test(e.targetId) && /networkInterfaces/i.test(e.sourceId),
    );
    expect(subnetEdge).toBeDefined();
    const r = await host.api<{ items: Array<Edge & { depth: number }> }>(
      'GET',
      `/api/dependencies?resourceId=${encodeURIComponent(subnetEdge?.targetId ?? '')}&direction=in&depth=5`,
    );
    expect(r.status).toBe(200);
    const dependents = new Set(r.body.items.map((i) => lower(i.sourceId)));
    expect(dependents).toContain(lower(subnetEdge?.sourceId ?? ''));
    // the NIC's VM depends on the subnet through the NIC, two hops away
    const vmOfNic = edges.find(
      (e) => lower(e.targetId) === lower(subnetEdge?.sourceId ?? '') && /virtualMachines/i.test(e.sourceId),
    );
    if (vmOfNic)
      expect(r.body.items.find((i) => lower(i.sourceId) === lower(vmOfNic.sourceId))?.depth).toBe(2);
  });
});
