import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listAllResources, startTestHost, type TestHost } from '../support/localHost';

const GRAPH = /Microsoft\.ResourceGraph\/resources$/;
/** The rows query (the type counts are `summarize`d, not ordered). */
const ROWS = /order by id asc/;

/**
 * Faults in Resource Graph pages (TOPDECK_INVENTORY_SOURCE=auto, Graph answering): two
 * subscriptions of 150 VMs, 40 rows a Graph page, read by one chain of 8 pages over both. The same
 * faults in Resource Manager listings: test/e2e/faults.e2e.test.ts.
 */
describe('scans under faults (Resource Graph pages)', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({
      emulator: {
        subscriptionCount: 2,
        connected: false,
        vmsPerSubscription: 150,
        graphPageSize: 40,
        graphQuota: false,
      },
    });
  });
  afterAll(async () => host?.stop());
  afterEach(() => host.emulator.clearFaults());

  const graphPages = () =>
    host.emulator.requestLog().filter((r) => GRAPH.test(r.path) && r.status === 200).length;

  it('reads both subscriptions in one chain of Graph pages', async () => {
    host.emulator.resetStats();
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    expect(scan.status).toBe('completed');
    expect(scan.inventory).toMatchObject({ source: 'resourcegraph' });
    expect(scan.tasks).toMatchObject({ total: 2, completed: 2 });
    expect(scan.pages).toBe(8);
    // the type counts, the chain's 8 pages and the AKS clusters' query that plans Kubernetes tasks
    expect(graphPages()).toBe(1 + 8 + 1);
    expect(await listAllResources(host)).toHaveLength(300);
  });

  it('completes when page 2 of the chain fails twice with 500 and then succeeds', async () => {
    host.emulator.resetStats();
    host.emulator.addFault({ path: GRAPH, body: ROWS, page: 2, status: 500, times: 2 });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    expect(scan.status).toBe('completed');
    expect(host.emulator.stats().faults).toBe(2);
    expect(scan.counts.resources).toBe(300);
  });

  it('completes when page 2 outlasts the SDK retries once and the queue redelivers it', async () => {
    host.emulator.resetStats();
    // 4 attempts per delivery: 4 failures need a second delivery of the message (a fifth in a row
    // would open Graph's circuit, and the next scans would fall back to Resource Manager listings)
    host.emulator.addFault({ path: GRAPH, body: ROWS, page: 2, status: 503, retryAfterSeconds: 0, times: 4 });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    expect(scan.status).toBe('completed');
    expect(host.emulator.stats().faults).toBe(4);
    expect(host.runtime.stats.failures.discoverResources).toBeGreaterThanOrEqual(1);
    expect(await listAllResources(host)).toHaveLength(300);
  });

  it('fails the chain with a message naming the fix on 403, and removes nothing', async () => {
    host.emulator.addFault({ path: GRAPH, body: ROWS, page: 2, status: 403, code: 'AuthorizationFailed' });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    expect(scan.inventory).toMatchObject({ source: 'resourcegraph' });
    expect(scan.status).toBe('failed');
    expect(scan.tasks).toMatchObject({ total: 2, failed: 2 });
    expect(scan.errors[0]?.message).toMatch(
      /Resource Graph query .* 2 subscriptions .*assign it the Reader role/,
    );
    expect(scan.counts.removed).toBe(0);
    expect(await listAllResources(host)).toHaveLength(300);
  });
  it('removes what is gone from each subscription of the chain, and only that', async () => {
    const first = await host.api<{ scanId: string }>('POST', '/api/scans');
    expect((await host.waitForScan(first.body.scanId)).status).toBe('completed');
    const stored = await listAllResources(host);
    const subs = [...new Set(stored.map((r) => r.id.split('/')[2]))];
    expect(subs).toHaveLength(2);
    const gone = subs.map((s) => stored.find((r) => r.id.split('/')[2] === s)?.id as string);
    for (const id of gone) expect(host.emulator.removeResource(id)).toBe(true);
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    expect(scan.status).toBe('completed');
    expect(scan.counts.removed).toBe(2);
    const after = (await listAllResources(host)).map((r) => r.id.toLowerCase());
    expect(after).toHaveLength(298);
    for (const id of gone) expect(after).not.toContain(id.toLowerCase());
    const changes = await host.api<{ items: Array<{ kind: string; resourceId: string }> }>(
      'GET',
      `/api/changes?scanId=${body.scanId}`,
    );
    const removed = changes.body.items
      .filter((c) => c.kind === 'removed')
      .map((c) => c.resourceId.toLowerCase());
    expect(removed.sort()).toEqual(gone.map((id) => id.toLowerCase()).sort());
  });

  // Last: five failures in a row open Graph's circuit for its recovery time.
  it('fails every task of the chain when page 2 always fails, and removes nothing', async () => {
    const before = await listAllResources(host);
    // the two the test before removed are gone
    expect(before).toHaveLength(298);
    host.emulator.addFault({ path: GRAPH, body: ROWS, page: 2, status: 503, retryAfterSeconds: 0 });
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId);
    expect(scan.inventory).toMatchObject({ source: 'resourcegraph' });
    // the chain held every task of the scan, so no task completed: failed, not partial
    expect(scan.status).toBe('failed');
    expect(scan.tasks).toMatchObject({ total: 2, completed: 0, failed: 2 });
    expect(scan.errors[0]?.code).toBe('PoisonMessage');
    expect(scan.errors[0]?.count).toBe(2);
    expect(scan.errors[0]?.message).toMatch(/page 2 failed on every delivery.*(503|CircuitOpen)/);
    expect(scan.counts.removed).toBe(0);
    const after = await listAllResources(host);
    expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
  });
});
