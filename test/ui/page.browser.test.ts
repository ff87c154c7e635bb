/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUBNET_TYPE } from '../../src/dependencies/GraphNode';
import { ids } from '../dependencies/handMadeEstate';
import { artifactPath, launchBrowser, type RunningBrowser } from '../support/browser';
import { seedConnectedEstate } from '../support/connectedEstate';
import { startTestHost, type TestHost } from '../support/localHost';

interface GraphAnswer {
  nodes: Array<{ id: string; name: string; type: string; key?: string }>;
  edges: Array<{ sourceId: string; targetId: string }>;
}

/**
 * The page in Debian's chromium against the local runtime. Written to hold for any estate: counts
 * and expected sets come from the API, the known subnet from the hand-made connected estate.
 */
describe('the operator page in a headless browser', () => {
  let host: TestHost;
  let browser: RunningBrowser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    host = await startTestHost({
      emulator: { subscriptionCount: 2, connected: false, vmsPerSubscription: 30, pageSize: 20 },
    });
    await seedConnectedEstate(host.services);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const graph = async () => (await host.api<GraphAnswer>('GET', '/api/graph')).body;

  /** Zooms onto the node first, so that the click lands on it whatever the layout. */
  async function clickNode(id: string): Promise<void> {
    const point = await page.evaluate((nodeId) => {
      const cy = window.topdeckGraph?.cy;
      const n = cy?.getElementById(nodeId);
      if (!cy || !n || n.empty()) throw new Error(`no node ${nodeId} drawn`);
      cy.zoom(2);
      cy.center(n);
      const box = (cy.container() as HTMLElement).getBoundingClientRect();
      const p = n.renderedPosition();
      return { x: box.left + p.x, y: box.top + p.y };
    }, id);
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('[data-testid=details-id]');
    expect(await page.textContent('[data-testid=details-id]')).toBe(id);
  }

  async function openGraph(hash = '#graph'): Promise<void> {
    await page.goto(`${host.baseUrl}/api/ui${hash}`);
    await page.waitForSelector('#cy[data-complete="true"]', { timeout: 30_000 });
  }

  it('starts a scan from the Scans view and shows its progress until it completes', async () => {
    await page.goto(`${host.baseUrl}/api/ui#scans`);
    await page.click('[data-testid=start-scan]');
    await page.waitForSelector('[data-testid=scan-status]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=scan-status]')?.textContent === 'completed',
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.textContent('[data-testid=scan-counts]')).toMatch(
      /^tasks 2\/2 \(0 failed, 0 skipped\) · pages \d+ · resources 60 ·/,
    );
    await page.waitForSelector('[data-testid=scan-row]');
    expect(await page.locator('[data-testid=scan-row]').count()).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: artifactPath('scans.png') });
  });

  it('draws as many nodes as GET /api/graph answers, edges coloured, clustered', async () => {
    const answer = await graph();
    await openGraph();
    expect(await page.getAttribute('[data-testid=graph-summary]', 'data-nodes')).toBe(
      String(answer.nodes.length),
    );
    const drawn = await page.evaluate(() => {
      const cy = window.topdeckGraph?.cy;
      return {
        nodes: cy?.nodes('.resource').length,
        edges: cy?.edges().length,
        clusters: cy?.nodes('.cluster').length,
      };
    });
    expect(drawn.nodes).toBe(answer.nodes.length);
    expect(drawn.edges).toBe(answer.edges.length);
    expect(drawn.clusters).toBeGreaterThan(1);
    await page.screenshot({ path: artifactPath('graph.png') });
  });

  it('shows a clicked node’s details and its edges both ways, as the API has them', async () => {
    const answer = await graph();
    // The node with the most outgoing edges: the test needs one with dependencies, from any estate.
    const counts = new Map<string, number>();
    for (const e of answer.edges) counts.set(e.sourceId, (counts.get(e.sourceId) ?? 0) + 1);
    const [id] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (!id) throw new Error('the estate has no edge');
    await openGraph();
    await clickNode(id);
    await page.waitForSelector('[data-testid=outgoing] li');
    const shown = await page.$$eval('[data-testid=outgoing] li', (lis) =>
      lis.map((li) => li.getAttribute('data-edge-end')),
    );
    const deps = await host.api<{ items: Array<{ targetId: string }> }>(
      'GET',
      `/api/dependencies?resourceId=${encodeURIComponent(id)}`,
    );
    expect(shown.sort()).toEqual(deps.body.items.map((e) => e.targetId).sort());
    if (id === ids.vm) expect(shown).toContain(ids.nic);
    await page.screenshot({ path: artifactPath('graph-node.png') });
  });

  it('highlights the blast radius of a known subnet, with its count', async () => {
    const answer = await graph();
    const subnet = answer.nodes.find(
      (n) => n.type === SUBNET_TYPE && n.id.toLowerCase() === ids.subnetWeb.toLowerCase(),
    );
    if (!subnet) throw new Error('the known subnet is not in the graph');
    await openGraph();
    await clickNode(subnet.id);
    await page.click('[data-testid=blast-button]');
    await page.waitForSelector('[data-testid=blast-count]');
    const walk = await host.api<{ items: Array<{ sourceId: string }> }>(
      'GET',
      `/api/dependencies?resourceId=${encodeURIComponent(subnet.id)}&direction=in&depth=10`,
    );
    const expected = [...new Set(walk.body.items.map((e) => e.sourceId))]
      .filter((s) => s !== subnet.id)
      .sort();
    for (const known of [ids.nic, ids.vm, ids.lb, ids.vmss, ids.site, ids.agw])
      expect(expected).toContain(known);
    expect(await page.getAttribute('[data-testid=blast-count]', 'data-count')).toBe(String(expected.length));
    const highlighted = await page.evaluate(
      () => window.topdeckGraph?.cy?.nodes('.blast').map((n) => n.id()) ?? [],
    );
    expect(highlighted.sort()).toEqual(expected);
    await page.screenshot({ path: artifactPath('blast-radius.png') });
  });

  it('narrows the inventory with its filters, and a row leads to its node', async () => {
    await page.goto(`${host.baseUrl}/api/ui#inventory`);
    await page.waitForSelector('[data-testid=inventory-row]');
    const all = await page.locator('[data-testid=inventory-row]').count();
    expect(all).toBe(50); // a full first page: 60 VMs and the connected estate
    await page.fill('[data-testid=filter-resourceGroup]', 'rg-app');
    await page.click('form.filters button.primary');
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=inventory-row]').length < n,
      all,
    );
    const inGroup = await page.locator('[data-testid=inventory-row]').count();
    const api = await host.api<{ items: unknown[] }>('GET', '/api/resources?resourceGroup=rg-app&limit=50');
    expect(inGroup).toBe(api.body.items.length);
    await page.fill('[data-testid=filter-text]', 'vm1');
    await page.click('form.filters button.primary');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=inventory-info]')?.textContent?.includes(' of '),
    );
    const rows = await page.$$eval('[data-testid=inventory-row]', (trs) =>
      trs.map((tr) => tr.getAttribute('data-id')),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(inGroup);
    expect(rows.every((r) => r?.toLowerCase().includes('vm1'))).toBe(true);
    await page.screenshot({ path: artifactPath('inventory.png') });
    await page.click(`[data-testid=inventory-row][data-id="${ids.vm}"] a`);
    await page.waitForSelector('#cy[data-complete="true"]');
    await page.waitForSelector('[data-testid=details-id]');
    expect(await page.textContent('[data-testid=details-id]')).toBe(ids.vm);
  });

  it('lists what changed since a time, per resource', async () => {
    await page.goto(`${host.baseUrl}/api/ui#changes`);
    await page.waitForSelector('[data-testid=change]', { state: 'attached' });
    const answer = await host.api<{ items: unknown[] }>(
      'GET',
      `/api/changes?since=${new Date(Date.now() - 24 * 3600_000).toISOString()}&limit=200`,
    );
    expect(await page.locator('[data-testid=change]').count()).toBe(answer.body.items.length);
    await page.screenshot({ path: artifactPath('changes.png') });
  });

  it('loaded every view without a console error', () => {
    expect(consoleErrors).toEqual([]);
  });

  it('asks for the function key once on a 401, keeps it for the session and sends it as a header only', async () => {
    const keyed = await browser.context.newPage();
    const seen: Array<{ url: string; key?: string }> = [];
    // Stands in for a deployed host's key check in front of the API.
    await keyed.route('**/api/scans**', async (route) => {
      const key = route.request().headers()['x-functions-key'];
      seen.push({ url: route.request().url(), key });
      if (key !== 'the-key') await route.fulfill({ status: 401, body: '' });
      else await route.continue();
    });
    await keyed.goto(`${host.baseUrl}/api/ui#scans`);
    await keyed.waitForSelector('#key-dialog[open]');
    await keyed.fill('#key-input', 'the-key');
    await keyed.click('#key-dialog button');
    await keyed.waitForSelector('[data-testid=scan-row]');
    expect(await keyed.evaluate(() => sessionStorage.getItem('topdeck.functionKey'))).toBe('the-key');
    expect(seen.at(-1)?.key).toBe('the-key');
    expect(seen.some((s) => s.url.includes('the-key'))).toBe(false);
    await keyed.close();
  });
});
