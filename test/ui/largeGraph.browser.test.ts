/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../dependencies/handMadeEstate';
import { artifactPath, launchBrowser, type RunningBrowser } from '../support/browser';
import { seedConnectedEstate } from '../support/connectedEstate';
import { startTestHost, type TestHost } from '../support/localHost';

/**
 * Past 400 nodes the page switches to the clustered grid: every node in its first frame, and
 * every edge too up to its overview limit (5,000 edges); past that, the edges of the nodes in
 * view once zoomed in. The limit is lowered here (`window.topdeckOverviewMaxEdges`) so a
 * 500-node estate takes the path a 10,000-resource one does.
 */
describe('the graph view of a large estate', () => {
  let host: TestHost;
  let browser: RunningBrowser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    host = await startTestHost({
      emulator: { subscriptionCount: 2, vmsPerSubscription: 230, pageSize: 100 },
    });
    await seedConnectedEstate(host.services);
    const started = await host.api<{ scanId: string }>('POST', '/api/scans', {});
    expect((await host.waitForScan(started.body.scanId)).status).toBe('completed');
    browser = await launchBrowser();
    page = await browser.context.newPage();
    await page.addInitScript(() => {
      (window as { topdeckOverviewMaxEdges?: number }).topdeckOverviewMaxEdges = 0;
    });
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('draws every node the API answers, clustered by position, the edges of the nodes in view when zoomed in, and still finds a blast radius', async () => {
    const answer = (
      await host.api<{
        nodes: unknown[];
        edges: { sourceId: string; targetId: string; category: string }[];
      }>('GET', '/api/graph')
    ).body;
    expect(answer.nodes.length).toBeGreaterThan(400);
    await page.goto(`${host.baseUrl}/api/ui#graph`);
    await page.waitForSelector('#cy[data-rendered="true"]', { timeout: 60_000 });
    const drawn = await page.evaluate(() => {
      const cy = window.topdeckGraph?.cy;
      return {
        nodes: cy?.nodes('.resource').length,
        edges: cy?.edges().length,
        clusters: cy?.nodes('.cluster').length,
        labelled: cy?.nodes('.labelled').length,
        overview: (cy?.zoom() ?? 1) < 0.5,
      };
    });
    // The overview (below the zoom that shows edges): every node, no edge, no label.
    expect(drawn).toEqual({
      nodes: answer.nodes.length,
      edges: 0,
      clusters: 0,
      labelled: 0,
      overview: true,
    });
    expect(await page.textContent('[data-testid=graph-summary]')).toContain(`${answer.edges.length} edges`);
    await page.screenshot({ path: artifactPath('graph-large.png') });

    // Zoomed in, the nodes in view get their labels, and every edge of theirs (both ways) is drawn.
    await page.evaluate((id) => {
      const cy = window.topdeckGraph?.cy;
      cy?.zoom(1.5);
      cy?.center(cy.getElementById(id));
    }, ids.subnetWeb);
    await page.waitForFunction(() => (window.topdeckGraph?.cy?.nodes('.labelled').length ?? 0) > 0);
    const zoomed = await page.evaluate(() => {
      const cy = window.topdeckGraph?.cy;
      if (!cy) throw new Error('no graph');
      const e = cy.extent();
      const inView = cy
        .nodes('.resource')
        .filter((n) => {
          const p = n.position();
          return p.x >= e.x1 && p.x <= e.x2 && p.y >= e.y1 && p.y <= e.y2;
        })
        .map((n) => n.id());
      const edges = cy
        .edges()
        .map((edge) => `${edge.data('source')}|${edge.data('target')}|${edge.classes().join(' ')}`);
      return { inView, edges, labelled: cy.nodes('.labelled').map((n) => n.id()) };
    });
    const inView = new Set(zoomed.inView);
    expect(inView.has(ids.subnetWeb)).toBe(true);
    expect(zoomed.labelled.sort()).toEqual([...inView].sort());
    const expected = answer.edges
      .filter((e) => inView.has(e.sourceId) || inView.has(e.targetId))
      .map((e) => `${e.sourceId}|${e.targetId}|${e.category}`);
    expect(expected.length).toBeGreaterThan(0);
    expect(zoomed.edges.sort()).toEqual(expected.sort());

    const point = await page.evaluate((id) => {
      const cy = window.topdeckGraph?.cy;
      const n = cy?.getElementById(id);
      const box = (cy?.container() as HTMLElement).getBoundingClientRect();
      const p = n?.renderedPosition() ?? { x: 0, y: 0 };
      return { x: box.left + p.x, y: box.top + p.y };
    }, ids.subnetWeb);
    await page.mouse.click(point.x, point.y);
    await page.waitForSelector('[data-testid=blast-button]');
    await page.click('[data-testid=blast-button]');
    await page.waitForSelector('[data-testid=blast-count]');
    const highlighted = await page.evaluate(
      () => window.topdeckGraph?.cy?.nodes('.blast').map((n) => n.id()) ?? [],
    );
    // The blast radius draws its edges wherever they are: at least one leads to each affected node.
    const blastEdges = await page.evaluate(() => window.topdeckGraph?.cy?.edges('.blast').length ?? 0);
    expect(blastEdges).toBeGreaterThanOrEqual(highlighted.length);
    for (const known of [ids.nic, ids.vm, ids.lb, ids.vmss, ids.site, ids.agw])
      expect(highlighted).toContain(known);
    expect(await page.getAttribute('[data-testid=blast-count]', 'data-count')).toBe(
      String(highlighted.length),
    );
    await page.screenshot({ path: artifactPath('graph-large-blast.png') });
    expect(consoleErrors).toEqual([]);
  });

  it('draws every edge of a large graph in the first frame while they are under the overview limit', async () => {
    const answer = (await host.api<{ nodes: unknown[]; edges: unknown[] }>('GET', '/api/graph')).body;
    expect(answer.edges.length).toBeLessThanOrEqual(5000);
    const fresh = await browser.context.newPage();
    try {
      await fresh.goto(`${host.baseUrl}/api/ui#graph`);
      await fresh.waitForSelector('#cy[data-rendered="true"]', { timeout: 60_000 });
      const drawn = await fresh.evaluate(() => ({
        nodes: window.topdeckGraph?.cy?.nodes('.resource').length,
        edges: window.topdeckGraph?.cy?.edges().length,
      }));
      expect(drawn).toEqual({ nodes: answer.nodes.length, edges: answer.edges.length });
      expect(await fresh.textContent('[data-testid=graph-summary]')).not.toContain('zoomed in');
    } finally {
      await fresh.close();
    }
  });
});
