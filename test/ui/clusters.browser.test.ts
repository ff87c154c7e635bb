/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSnapshot } from '../../web/src/GraphSnapshot';
import { artifactPath, launchBrowser, type RunningBrowser } from '../support/browser';
import { startTestHost, type TestHost } from '../support/localHost';

interface GraphAnswer {
  nodes: Array<{ id: string; name: string; type: string; key?: string }>;
  edges: Array<{ sourceId: string; targetId: string; category: string; evidence: string }>;
}

const lower = (s: string) => s.toLowerCase();

/**
 * The demo estate `npm start` scans (networks, data stores, web apps; see beforeAll for its size), in
 * Debian's chromium: the graph opens on clusters, they open and close in place, the search box finds
 * a resource through the API, the details panel explains it. Expectations come from the API.
 */
describe('the graph of the demo estate, clusters first', () => {
  let host: TestHost;
  let browser: RunningBrowser;
  let page: Page;
  let answer: GraphAnswer;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    // The demo estate's generator at a third of its size (40 VMs a subscription, not 125): the
    // same applications, groups and dependencies, in a scan a third as long.
    host = await startTestHost({ emulator: { vmsPerSubscription: 40 } });
    const started = await host.api<{ scanId: string }>('POST', '/api/scans', {});
    expect((await host.waitForScan(started.body.scanId, 120_000)).status).toBe('completed');
    answer = (await host.api<GraphAnswer>('GET', '/api/graph')).body;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  const view = () => page.evaluate(() => window.topdeck?.view() as GraphSnapshot);

  async function openGraph(): Promise<void> {
    await page.goto('about:blank'); // a fresh page each time, not a hash change
    await page.goto(`${host.baseUrl}/api/ui#graph`);
    await page.waitForSelector('#cy[data-complete="true"]', { timeout: 30_000 });
  }

  /** Where a drawn node is on the screen, to click it as a person would. */
  async function screenPoint(id: string): Promise<{ x: number; y: number }> {
    return page.evaluate((nodeId) => {
      const cy = window.topdeckGraph?.cy;
      const n = cy?.getElementById(nodeId);
      if (!cy || !n || n.empty()) throw new Error(`no node ${nodeId} drawn`);
      const box = (cy.container() as HTMLElement).getBoundingClientRect();
      const p = n.renderedPosition();
      return { x: box.left + p.x, y: box.top + p.y };
    }, id);
  }

  it('opens on at most 150 labelled clusters holding every resource, one counted edge per pair of clusters', async () => {
    expect(answer.nodes.length).toBeGreaterThan(500);
    await openGraph();
    const first = await view();
    expect(first.nodes.length).toBeLessThanOrEqual(150);
    expect(first.nodes.length).toBeGreaterThan(5);
    expect(first.nodes.every((n) => n.kind === 'cluster')).toBe(true);
    for (const c of first.clusters) {
      expect(first.nodes.find((n) => n.id === c.id)?.label).toBe(`${c.name} · ${c.count}`);
      expect(c.name.length).toBeGreaterThan(0);
    }
    expect(first.clusters.reduce((s, c) => s + c.count, 0)).toBe(answer.nodes.length);
    expect(first.edges.every((e) => e.kind === 'aggregate')).toBe(true);
    await page.screenshot({ path: artifactPath('clusters.png') });

    // Every cluster opened tells which cluster each resource is in: the aggregated edges must
    // then be exactly the API's edges between clusters, counted and coloured by their majority.
    const all = await page.evaluate(() => {
      for (const c of window.topdeck?.view().clusters ?? []) window.topdeck?.expand(c.id);
      return window.topdeck?.view() as GraphSnapshot;
    });
    const clusterOf = new Map(
      all.nodes.filter((n) => n.cluster).map((n) => [lower(n.id), n.cluster as string]),
    );
    expect(clusterOf.size).toBe(answer.nodes.length);
    const expected = new Map<string, { count: number; byCategory: Map<string, number> }>();
    for (const e of answer.edges) {
      const a = clusterOf.get(lower(e.sourceId));
      const b = clusterOf.get(lower(e.targetId));
      if (!a || !b) throw new Error(`edge ${e.sourceId} → ${e.targetId} has an end outside every cluster`);
      if (a === b) continue;
      const key = [a, b].sort().join('|');
      const pair = expected.get(key) ?? { count: 0, byCategory: new Map<string, number>() };
      pair.count++;
      pair.byCategory.set(e.category, (pair.byCategory.get(e.category) ?? 0) + 1);
      expected.set(key, pair);
    }
    const drawn = new Map(first.edges.map((e) => [[e.source, e.target].sort().join('|'), e]));
    expect([...drawn.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, pair] of expected) {
      const e = drawn.get(key);
      expect(e?.count).toBe(pair.count);
      const most = Math.max(...pair.byCategory.values());
      expect(pair.byCategory.get(e?.category ?? '')).toBe(most);
    }
  });

  it('opens a cluster in place with a click and closes it with a double-click, the others moved aside and back', async () => {
    await openGraph();
    const before = await view();
    // A cluster with edges inside it, of a few dozen members.
    const target = [...before.clusters].reverse().find((c) => c.count >= 20 && c.kind === 'application');
    if (!target) throw new Error('the demo estate has no application cluster of 20 resources');
    const positions = () =>
      page.evaluate(() =>
        Object.fromEntries(
          window.topdeckGraph?.cy?.nodes('.cluster').map((n) => [n.id(), { ...n.position() }]) ?? [],
        ),
      );
    const was = await positions();
    const at = await screenPoint(target.id);
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector(`[data-testid=cluster-details][data-cluster-id="${target.id}"]`);
    const open = await view();
    expect(open.expanded).toEqual([target.id]);
    const members = open.nodes.filter((n) => n.cluster === target.id);
    expect(members).toHaveLength(target.count);
    expect(members.every((m) => m.kind === 'resource' && m.label)).toBe(true);
    const memberIds = new Set(members.map((m) => m.id));
    const inner = open.edges.filter((e) => e.kind === 'edge');
    expect(inner.length).toBeGreaterThan(0);
    expect(inner.every((e) => memberIds.has(e.source) && memberIds.has(e.target))).toBe(true);
    // Its edges to other clusters are still the aggregated ones, unchanged.
    expect(open.edges.filter((e) => e.kind === 'aggregate')).toEqual(before.edges);
    const centre = was[target.id] ?? { x: 0, y: 0 };
    const moved = await positions();
    for (const [id, p] of Object.entries(was)) {
      if (id === target.id) continue;
      const q = moved[id] ?? p;
      expect(Math.abs(q.x - centre.x)).toBeGreaterThanOrEqual(Math.abs(p.x - centre.x));
      expect(Math.abs(q.y - centre.y)).toBeGreaterThanOrEqual(Math.abs(p.y - centre.y));
    }
    await page.screenshot({ path: artifactPath('cluster-open.png') });

    // Double-click the cluster's frame (its label sits above the members, on the frame), once the
    // viewport's fit to the opened cluster has ended (on a loaded machine it can outlast a fixed wait).
    await page.waitForFunction(() => window.topdeckGraph?.cy?.animated() === false);
    const frame = await page.evaluate((id) => {
      const cy = window.topdeckGraph?.cy;
      const n = cy?.getElementById(id);
      if (!cy || !n) throw new Error('no cluster');
      const bb = n.renderedBoundingBox({ includeLabels: false });
      const box = (cy.container() as HTMLElement).getBoundingClientRect();
      return { x: box.left + (bb.x1 + bb.x2) / 2, y: box.top + bb.y1 + 6 };
    }, target.id);
    // (Half a second after it opened: a double-click's first click that opened it does not close it.)
    await page.waitForTimeout(500);
    await page.mouse.dblclick(frame.x, frame.y);
    await page.waitForFunction(() => (window.topdeck?.view().expanded.length ?? 1) === 0);
    const closed = await view();
    expect(closed.nodes.map((n) => n.id).sort()).toEqual(before.nodes.map((n) => n.id).sort());
    const back = await positions();
    for (const [id, p] of Object.entries(was)) {
      expect(back[id]?.x).toBeCloseTo(p.x, 6);
      expect(back[id]?.y).toBeCloseTo(p.y, 6);
    }
  });

  it('finds a resource of a closed cluster by typing part of its name, through the API, and opens, centres and selects it', async () => {
    await openGraph();
    const vms = await host.api<{ items: Array<{ id: string; name: string }> }>(
      'GET',
      '/api/resources?type=Microsoft.Sql/servers&limit=5',
    );
    const wanted = vms.body.items[3] ?? vms.body.items[0];
    if (!wanted) throw new Error('the demo estate has no SQL server');
    expect((await view()).expanded).toEqual([]);
    const asked = page.waitForRequest((r) => r.url().includes('/api/resources?') && r.url().includes('q='));
    await page.fill('[data-testid=search]', wanted.name.slice(0, -1));
    expect(new URL((await asked).url()).searchParams.get('q')).toBe(wanted.name.slice(0, -1));
    await page.click(`[data-testid=search-results] li[data-id="${wanted.id}"]`);
    await page.waitForFunction(
      (id) => window.topdeck?.view().selected?.toLowerCase() === id.toLowerCase(),
      wanted.id,
    );
    await page.waitForSelector('[data-testid=details-id]');
    expect(lower((await page.textContent('[data-testid=details-id]')) ?? '')).toBe(lower(wanted.id));
    const now = await view();
    const selected = now.nodes.find((n) => n.id === now.selected);
    expect(now.expanded).toEqual([selected?.cluster]);
    // Centred once the move (200 ms) has settled.
    await page.waitForFunction(() => window.topdeckGraph?.cy?.animated() === false);
    const offset = await page.evaluate((id) => {
      const cy = window.topdeckGraph?.cy;
      const n = cy?.getElementById(id);
      if (!cy || !n) throw new Error('no node');
      // The node with its label under it is what is centred.
      const b = n.renderedBoundingBox();
      return {
        dx: Math.abs((b.x1 + b.x2) / 2 - cy.width() / 2),
        dy: Math.abs((b.y1 + b.y2) / 2 - cy.height() / 2),
      };
    }, now.selected ?? '');
    expect(offset.dx).toBeLessThan(2);
    expect(offset.dy).toBeLessThan(2);
    await page.screenshot({ path: artifactPath('search.png') });
  });

  it('explains a web app: application, key properties, tags, when seen, edges by category with evidence, each leading to its other end', async () => {
    // The web app with the most configuration edges: app settings naming what it uses.
    const counts = new Map<string, number>();
    for (const e of answer.edges)
      if (e.category === 'configuration' && e.sourceId.toLowerCase().includes('/microsoft.web/sites/'))
        counts.set(e.sourceId, (counts.get(e.sourceId) ?? 0) + 1);
    const [siteId] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (!siteId) throw new Error('the demo estate has no web app with configuration edges');
    const node = answer.nodes.find((n) => lower(n.id) === lower(siteId));
    const resource = await host.api<{
      properties: { defaultHostName?: string };
      tags: Record<string, string>;
      dependencies: {
        outgoing: Array<{ targetId: string; category: string; evidence: string }>;
        incoming: unknown[];
      };
    }>('GET', `/api/resources/${node?.key}`);
    await openGraph();
    await page.evaluate((id) => window.topdeck?.focus(id), siteId);
    await page.waitForSelector('[data-testid=details-properties]');
    const facts = await page.$$eval('[data-testid=details-facts] tr', (trs) =>
      Object.fromEntries(
        trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td')?.textContent]),
      ),
    );
    expect(facts.application).toBeTruthy();
    expect(facts['first seen']).toBeTruthy();
    expect(facts['last refreshed']).toBeTruthy();
    expect(await page.textContent('[data-testid=details-properties]')).toContain(
      resource.body.properties.defaultHostName ?? 'no host name',
    );
    const tagCells = await page.$$eval('[data-testid=details-tags] th', (ths) =>
      ths.map((th) => th.textContent),
    );
    expect(tagCells.sort()).toEqual(Object.keys(resource.body.tags).sort());
    for (const category of ['network', 'data', 'configuration', 'compute']) {
      const expected = resource.body.dependencies.outgoing
        .filter((e) => e.category === category)
        .map((e) => `${lower(e.targetId)}|${e.evidence}`)
        .sort();
      const shown = await page.$$eval(`[data-testid=edges-${category}] li[data-direction=out]`, (lis) =>
        lis.map(
          (li) => `${li.getAttribute('data-edge-end')?.toLowerCase()}|${li.getAttribute('data-evidence')}`,
        ),
      );
      expect(shown.sort()).toEqual(expected);
    }
    await page.screenshot({ path: artifactPath('details.png') });
    const link = await page.$('[data-testid=edges-configuration] li[data-direction=out] a');
    const other = await link?.getAttribute('data-node-id');
    await link?.click();
    await page.waitForFunction(
      (id) => window.topdeck?.view().selected?.toLowerCase() === id?.toLowerCase(),
      other,
    );
    await page.waitForFunction(
      (id) =>
        document.querySelector('[data-testid=details-id]')?.textContent?.toLowerCase() === id?.toLowerCase(),
      other,
    );
    expect(consoleErrors).toEqual([]);
  });
});
