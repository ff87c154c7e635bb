/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES_CACHE_NAMESPACE } from '../../src/api/ResourcesApi';
import { ChangeLog } from '../../src/changes/ChangeLog';
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

  /** Opens the node's cluster and centres it (window.topdeck.focus), then clicks it as a person would. */
  async function clickNode(id: string): Promise<void> {
    await page.evaluate((nodeId) => window.topdeck?.focus(nodeId), id);
    await page.waitForTimeout(300); // the centring move (200 ms)
    const point = await page.evaluate((nodeId) => {
      const cy = window.topdeckGraph?.cy;
      const n = cy?.getElementById(nodeId);
      if (!cy || !n || n.empty()) throw new Error(`no node ${nodeId} drawn`);
      const box = (cy.container() as HTMLElement).getBoundingClientRect();
      const p = n.renderedPosition();
      return { x: box.left + p.x, y: box.top + p.y };
    }, id);
    await page.evaluate(() => {
      document.querySelector('[data-testid=details]')?.replaceChildren();
    });
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('[data-testid=details-id]');
    expect(await page.textContent('[data-testid=details-id]')).toBe(id);
  }

  async function openGraph(hash = '#graph'): Promise<void> {
    await page.goto('about:blank'); // a fresh page each time, not a hash change
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

  it('draws the graph GET /api/graph answers as clusters holding every node, with the count in the summary', async () => {
    const answer = await graph();
    await openGraph();
    expect(await page.getAttribute('[data-testid=graph-summary]', 'data-nodes')).toBe(
      String(answer.nodes.length),
    );
    const drawn = await page.evaluate(() => window.topdeck?.view());
    expect(drawn?.nodes.every((n) => n.kind === 'cluster')).toBe(true);
    expect(drawn?.clusters.reduce((s, c) => s + c.count, 0)).toBe(answer.nodes.length);
    expect(drawn?.clusters.length).toBeGreaterThan(1);
    await page.screenshot({ path: artifactPath('graph.png') });
  });

  it('narrows the clusters with the filters: subscription, resource group, application, type', async () => {
    const answer = await graph();
    await openGraph();
    const vmType = 'Microsoft.Compute/virtualMachines';
    const option = (field: string, value: string) =>
      page.$$eval(
        `[data-testid=graph-filter-${field}] option`,
        (os, v) =>
          os.map((o) => (o as HTMLOptionElement).value).find((x) => x.toLowerCase() === v.toLowerCase()) ?? v,
        value,
      );
    await page.selectOption('[data-testid=graph-filter-type]', await option('type', vmType));
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=graph-summary]')?.getAttribute('data-nodes') !== String(n),
      answer.nodes.length,
    );
    const vms = answer.nodes.filter((n) => n.type.toLowerCase() === vmType.toLowerCase());
    const typed = await page.evaluate(() => {
      for (const c of window.topdeck?.view().clusters ?? []) window.topdeck?.expand(c.id);
      return window.topdeck?.view();
    });
    const shown = typed?.nodes.filter((n) => n.kind === 'resource').map((n) => n.id) ?? [];
    expect(shown.sort()).toEqual(vms.map((n) => n.id).sort());
    await page.selectOption(
      '[data-testid=graph-filter-resourceGroup]',
      await option('resourceGroup', 'rg-app'),
    );
    await page.waitForFunction(() => (window.topdeck?.view().expanded.length ?? 1) === 0);
    const inGroup = await page.evaluate(() =>
      window.topdeck?.view().clusters.reduce((s, c) => s + c.count, 0),
    );
    expect(inGroup).toBe(vms.filter((n) => n.id.toLowerCase().includes('/resourcegroups/rg-app/')).length);
    expect(page.url()).toContain('type=Microsoft.Compute');
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
    await page.waitForSelector('li[data-direction=out]');
    const shown = await page.$$eval('li[data-direction=out]', (lis) =>
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
      () => window.topdeckGraph?.cy?.nodes('.resource.blast').map((n) => n.id()) ?? [],
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
      document.querySelector('[data-testid=inventory-info]')?.textContent?.includes('best matches'),
    );
    const rows = await page.$$eval('[data-testid=inventory-row]', (trs) =>
      trs.map((tr) => tr.getAttribute('data-id')),
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(inGroup);
    expect(rows.every((r) => r?.toLowerCase().includes('vm1'))).toBe(true);
    // The API's search over the whole group, not a filter over the page shown.
    const search = await host.api<{ items: Array<{ id: string }> }>(
      'GET',
      '/api/resources?resourceGroup=rg-app&q=vm1&limit=50',
    );
    expect(rows).toEqual(search.body.items.map((r) => r.id));
    await page.screenshot({ path: artifactPath('inventory.png') });
    await page.click(`[data-testid=inventory-row][data-id="${ids.vm}"] a`);
    await page.waitForSelector('#cy[data-complete="true"]');
    await page.waitForSelector('[data-testid=details-id]');
    expect(await page.textContent('[data-testid=details-id]')).toBe(ids.vm);
  });

  it('tells the change feed as one line per scan, opening to paths old → new, and filters it by type', async () => {
    const scans = await host.api<{ items: Array<{ scanId: string }> }>('GET', '/api/scans');
    const scanId = scans.body.items[0]?.scanId ?? '';
    const vms = await host.api<{ items: Array<{ id: string; name: string; type: string }> }>(
      'GET',
      '/api/resources?type=Microsoft.Compute/virtualMachines&limit=1',
    );
    const vm = vms.body.items[0];
    if (!vm) throw new Error('no VM scanned');
    // A later look at the same scan: one VM resized, and its NIC reference moved.
    const at = new Date().toISOString();
    const base = { scanId, at, resourceId: vm.id, type: vm.type, name: vm.name };
    await new ChangeLog(host.services.tables.changes, async () => []).record([
      {
        ...base,
        kind: 'modified',
        paths: [{ path: 'properties.vmSize', old: 'Standard_B1s', new: 'Standard_D2s_v3' }],
      },
      { ...base, kind: 'edgeRemoved', targetId: ids.nic, method: 'arm-reference' },
      { ...base, kind: 'edgeAdded', targetId: `${ids.nic}-2`, method: 'arm-reference' },
    ]);
    await host.services.cache.bumpVersion(RESOURCES_CACHE_NAMESPACE);
    const answer = await host.api<{ items: Array<{ scanId: string; kind: string; type: string }> }>(
      'GET',
      `/api/changes?since=${new Date(Date.now() - 7 * 24 * 3600_000).toISOString()}&limit=500`,
    );
    await page.goto(`${host.baseUrl}/api/ui#changes`);
    await page.waitForSelector('[data-testid=change-group]');
    const groups = await page.$$eval('[data-testid=change-group]', (els) =>
      els.map((el) => [el.getAttribute('data-group'), Number(el.getAttribute('data-count'))]),
    );
    const perScan = new Map<string, number>();
    for (const c of answer.body.items)
      perScan.set(`scan:${c.scanId}`, (perScan.get(`scan:${c.scanId}`) ?? 0) + 1);
    expect(groups).toEqual([...perScan]);
    const count = (kind: string) =>
      answer.body.items.filter((c) => c.scanId === scanId && c.kind === kind).length;
    // A first scan is a baseline (one item per subscription), not an added item per resource.
    const baselines = count('baseline');
    expect(baselines).toBeGreaterThanOrEqual(1);
    expect(count('added')).toBe(0);
    const edgesAdded = count('edgeAdded') - 1;
    const edges = edgesAdded ? `, ${edgesAdded} edge${edgesAdded === 1 ? '' : 's'} added` : '';
    const group = page.locator(`[data-testid=change-group][data-group="scan:${scanId}"]`);
    expect(await group.locator('[data-testid=change-summary]').textContent()).toBe(
      `baseline of ${baselines} subscription${baselines === 1 ? '' : 's'}, 1 modified${edges}, 1 edge moved`,
    );
    // Closed, a group draws none of its changes; opened, them (up to 200) with their paths.
    expect(await page.locator('[data-testid=change]').count()).toBe(0);
    await group.locator('summary').click();
    await page.waitForSelector('[data-testid=change]');
    expect(await group.locator('[data-testid=change]').count()).toBe(
      Math.min(200, perScan.get(`scan:${scanId}`) ?? 0),
    );
    expect(await group.locator('[data-path="properties.vmSize"]').textContent()).toBe(
      'properties.vmSize: "Standard_B1s" → "Standard_D2s_v3"',
    );
    await page.screenshot({ path: artifactPath('changes.png') });

    await page.fill('[data-testid=changes-type]', 'Microsoft.Compute/virtualMachines');
    await page.click('form.filters button.primary');
    const vmChanges = answer.body.items.filter(
      (c) => c.scanId === scanId && c.type.toLowerCase() === 'microsoft.compute/virtualmachines',
    ).length;
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=change-group]')?.getAttribute('data-count') === String(n),
      vmChanges,
    );
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
