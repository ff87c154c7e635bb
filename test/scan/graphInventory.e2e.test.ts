import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAllResources, startTestHost, type TestHost } from '../support/localHost';

/** Rows per Resource Graph page: small, so every type's chain spans several pages. */
const GRAPH_PAGE_SIZE = 4;

type ApiItem = Awaited<ReturnType<typeof listAllResources>>[number];

/** A resource as the scan found it: everything but the fields that name the scan or its time. */
function content(item: ApiItem): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  for (const k of ['scanId', 'lastSeenAt', 'refreshedAt', 'discoveredAt', 'firstSeenAt']) delete out[k];
  return out;
}

const byId = (items: ApiItem[]) => new Map(items.map((i) => [i.id.toLowerCase(), content(i)]));

describe('the Resource Graph path: Graph pages as the scan page messages', () => {
  let host: TestHost;
  const GRAPH = /providers\/Microsoft\.ResourceGraph\/resources$/i;

  beforeAll(async () => {
    host = await startTestHost({
      emulator: {
        subscriptionCount: 1,
        vmsPerSubscription: 1,
        pageSize: 80,
        graphPageSize: GRAPH_PAGE_SIZE,
        // 3 queries a second: the scan's chains outrun it, so Graph answers 429 and the scan waits
        graphQuota: { queries: 3, windowMs: 1000 },
      },
    });
  });
  afterAll(async () => host?.stop());

  it('reads the types without a dedicated listing from Graph pages, through 429s, as Resource Manager gives them', async () => {
    host.emulator.resetStats();
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    expect(scan.status).toBe('completed');
    expect(scan.inventory).toMatchObject({ source: 'resourcegraph' });
    const byRoute = host.emulator.stats().byRoute as Record<string, number>;
    // no generic Resource Manager listing: those types came from Graph
    expect(byRoute['resources.list'] ?? 0).toBe(0);
    const log = host.emulator.requestLog().filter((r) => GRAPH.test(r.path));
    const throttled = log.filter((r) => r.status === 429).length;
    expect(throttled).toBeGreaterThan(0);
    const graphItems = await listAllResources(host);
    const estate = host.emulator.estate.subscriptions[0];
    const expected = [...(estate?.vms ?? []), ...(estate?.resources ?? [])].map((r) => r.id.toLowerCase());
    expect(graphItems.map((i) => i.id.toLowerCase()).sort()).toEqual(expected.sort());
    // every type with more resources than a Graph page was read across several pages
    const perType = new Map<string, number>();
    for (const r of estate?.resources ?? []) perType.set(r.type, (perType.get(r.type) ?? 0) + 1);
    expect([...perType.values()].some((n) => n > GRAPH_PAGE_SIZE)).toBe(true);

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
