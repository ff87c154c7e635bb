/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids } from '../dependencies/handMadeEstate';
import { artifactPath, launchBrowser, type RunningBrowser } from '../support/browser';
import { seedConnectedEstate } from '../support/connectedEstate';
import { startTestHost, type TestHost } from '../support/localHost';

/** Past 400 nodes the page switches to the clustered grid, every edge in its first frame. */
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
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('draws every node and edge the API answers in its first frame, clustered by position, and still finds a blast radius', async () => {
    const answer = (await host.api<{ nodes: unknown[]; edges: unknown[] }>('GET', '/api/graph')).body;
    expect(answer.nodes.length).toBeGreaterThan(400);
    await page.goto(`${host.baseUrl}/api/ui#graph`);
    // Nothing is added after the first frame (edges arriving later would stall a pan).
    await page.waitForSelector('#cy[data-rendered="true"]', { timeout: 60_000 });
    const drawn = await page.evaluate(() => {
      const cy = window.topdeckGraph?.cy;
      return {
        nodes: cy?.nodes('.resource').length,
        edges: cy?.edges().length,
        clusters: cy?.nodes('.cluster').length,
        labelled: cy?.nodes('.labelled').length,
      };
    });
    expect(drawn).toEqual({
      nodes: answer.nodes.length,
      edges: answer.edges.length,
      clusters: 0,
      labelled: 0,
    });
    await page.screenshot({ path: artifactPath('graph-large.png') });

    // Zoomed in, the nodes in view get their labels.
    await page.evaluate((id) => {
      const cy = window.topdeckGraph?.cy;
      cy?.zoom(1.5);
      cy?.center(cy.getElementById(id));
    }, ids.subnetWeb);
    await page.waitForFunction(() => (window.topdeckGraph?.cy?.nodes('.labelled').length ?? 0) > 0);

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
    for (const known of [ids.nic, ids.vm, ids.lb, ids.vmss, ids.site, ids.agw])
      expect(highlighted).toContain(known);
    expect(await page.getAttribute('[data-testid=blast-count]', 'data-count')).toBe(
      String(highlighted.length),
    );
    await page.screenshot({ path: artifactPath('graph-large-blast.png') });
    expect(consoleErrors).toEqual([]);
  });
});
