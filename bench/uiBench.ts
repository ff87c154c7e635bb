/**
 * Page benchmark: the graph view of 2,000 and 10,000 resources in headless chromium (time to
 * the first frame; frame gaps while panning) and the /api/graph answer behind it (size, time).
 * Target: first render under 3 s at 10,000 resources, panning without visible stalls (frame
 * gaps p95 under 50 ms). The estate is synthetic (bench/syntheticEstate.ts: connected 16-resource
 * units): the demo emulator serves VMs only until issue 7 lands.
 */
/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { RESOURCES_CACHE_NAMESPACE } from '../src/api/ResourcesApi';
import { ChangeLog } from '../src/changes/ChangeLog';
import { DependencyStore } from '../src/dependencies/DependencyStore';
import { updateDependencies } from '../src/dependencies/updateDependencies';
import { startArmEmulator } from '../src/emulator';
import { startLocal } from '../src/runtime/startLocal';
import { primaryEntity } from '../src/storage/resourceEntity';
import { upsertInBatches } from '../src/storage/tables';
import { setLogSink } from '../src/telemetry/logger';
import { startRedisServer } from '../test/support/redisServer';
import { launchChromium } from './launchChromium';
import { syntheticEstate } from './syntheticEstate';

interface PageFigures {
  resources: number;
  nodes: number;
  edges: number;
  graphBytes: number;
  /** The same answer without the local runtime's indentation (Azure sends JSON unindented). */
  compactBytes: number;
  /** The first answer, read from the tables. */
  graphColdMs: number;
  /** The median of the next answers, from the Redis cache (as the page gets it after any first visit). */
  graphMs: number;
  firstFrameMs: number;
  renderAfterRequestMs: number;
  /** From the answer parsed to the first frame: the page's own work. */
  drawMs: number;
  /** From asking for the graph to everything its first view shows drawn (data-complete). */
  completeMs: number;
  /** Panning from the first frame on (a fresh page load). */
  firstPan: PanFigures;
  /** Panning from everything drawn on (another fresh page load). */
  completePan: PanFigures;
  /** The same pan a second later, on the second page. */
  settledPan: PanFigures;
  /** Zoomed in (labels and edges drawn for the nodes in view), after it settled. */
  zoomedPan: PanFigures;
  /** Edges drawn once zoomed in. */
  zoomedEdges: number;
}

interface PanFigures {
  p95Ms: number;
  maxMs: number;
  /** From the moment the pan was to start (first frame, all drawn) to its first step, in milliseconds. */
  lateMs: number;
}

type PanStart = 'firstFrameAt' | 'completeAt' | 'now';

/**
 * Pans for 2 s, one step a frame, to and fro, from the moment `from` names (or now), and returns the gaps
 * between frames. The first gap is counted from that moment itself (in the frame that sees it has
 * come), so a stall right after it counts. Runs in the page; waits (frame by frame) for the moment when it has not come yet.
 */
async function pan(page: Page, from: PanStart): Promise<{ gaps: number[]; lateMs: number }> {
  return page.evaluate(
    (from) =>
      new Promise<{ gaps: number[]; lateMs: number }>((resolve) => {
        const gaps: number[] = [];
        // Right for half a second, then back: the graph stays in view.
        const stepBy = (i: number) => (Math.floor(i / 30) % 2 ? { x: -7, y: -3 } : { x: 7, y: 3 });
        let last = 0;
        let end = 0;
        let lateMs = 0;
        const step = (now: number) => {
          gaps.push(now - last);
          last = now;
          window.topdeckGraph?.cy?.panBy(stepBy(gaps.length));
          if (now < end) requestAnimationFrame(step);
          else resolve({ gaps, lateMs });
        };
        const start = (now: number) => {
          const state = window.topdeckGraph;
          const at =
            from === 'now'
              ? now
              : from === 'firstFrameAt'
                ? state?.firstFrameAt
                : state?.completeMs !== undefined && state.loadStartedAt !== undefined
                  ? state.loadStartedAt + state.completeMs
                  : undefined;
          if (at === undefined || !state?.cy) return requestAnimationFrame(start);
          lateMs = now - at;
          end = at + 2000;
          if (lateMs > 0) gaps.push(lateMs);
          last = now;
          window.topdeckGraph?.cy?.panBy(stepBy(gaps.length));
          requestAnimationFrame(step);
        };
        requestAnimationFrame(start);
      }),
    from,
  );
}

function panFigures(r: { gaps: number[]; lateMs: number }): PanFigures {
  const gaps = [...r.gaps].sort((a, b) => a - b);
  return {
    p95Ms: gaps[Math.floor(gaps.length * 0.95)] ?? NaN,
    maxMs: gaps[gaps.length - 1] ?? NaN,
    lateMs: r.lateMs,
  };
}

async function measure(n: number): Promise<PageFigures> {
  setLogSink(() => undefined);
  const emulator = await startArmEmulator({ latencyMs: 0, subscriptionCount: 1, vmsPerSubscription: 1 });
  // With Redis, as deployed: the graph answer is cached until the next scan.
  const redis = await startRedisServer();
  const host = await startLocal({
    env: { PORT: '0', PATH: process.env.PATH, REDIS_URL: redis.url },
    memory: true,
    emulator,
    timers: false,
  });
  const chromium = await launchChromium();
  try {
    const estate = syntheticEstate(n);
    const at = new Date().toISOString();
    const scanId = '20260101T000000Z-benchben';
    await upsertInBatches(
      host.services.tables.resources,
      estate.map((r) =>
        primaryEntity(
          {
            id: r.id,
            name: r.name,
            type: r.type,
            location: 'eastus',
            tags: r.tags,
            properties: r.properties,
          },
          { scanId, seenAt: at, canonicalType: r.type },
        ),
      ),
      'Replace',
    );
    await updateDependencies(
      {
        resources: host.services.tables.resources,
        store: new DependencyStore(host.services.tables.dependencies),
        changes: new ChangeLog(host.services.tables.changes, async () => []),
        heuristics: false,
      },
      scanId,
      at,
    );
    await host.services.cache.bumpVersion(RESOURCES_CACHE_NAMESPACE);

    // The answer the page asks for, as a client sees it: the first from the tables, then cached.
    const times: number[] = [];
    let bytes = 0;
    let graph = { nodes: [] as unknown[], edges: [] as unknown[] };
    for (let i = 0; i < 4; i++) {
      const t0 = performance.now();
      const res = await fetch(`${host.baseUrl}/api/graph`);
      const text = await res.text();
      times.push(performance.now() - t0);
      bytes = Buffer.byteLength(text);
      graph = JSON.parse(text) as typeof graph;
    }
    const graphColdMs = times[0] ?? NaN;
    const cached = times.slice(1).sort((a, b) => a - b);

    // Panning as soon as the first frame is drawn, on a page of its own.
    const early = await chromium.context.newPage();
    await early.goto(`${host.baseUrl}/api/ui#graph`);
    const firstPan = panFigures(await pan(early, 'firstFrameAt'));
    await early.close();

    // Panning as soon as everything the first view shows is drawn, and again a second later.
    const page = await chromium.context.newPage();
    await page.goto(`${host.baseUrl}/api/ui#graph`);
    const completePan = panFigures(await pan(page, 'completeAt'));
    await page.waitForSelector('#cy[data-complete="true"]', { timeout: 120_000 });
    const first = await page.evaluate(() => ({
      firstFrameAt: window.topdeckGraph?.firstFrameAt ?? NaN,
      firstRenderMs: window.topdeckGraph?.firstRenderMs ?? NaN,
      answerMs: window.topdeckGraph?.answerMs ?? NaN,
      completeMs: window.topdeckGraph?.completeMs ?? NaN,
    }));
    await page.waitForTimeout(1000);
    const settledPan = panFigures(await pan(page, 'now'));
    // Zoomed in on the middle of the graph: the page adds the edges of the nodes in view.
    const zoomedEdges = await page.evaluate(async () => {
      const cy = window.topdeckGraph?.cy;
      cy?.zoom(1);
      cy?.center();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return cy?.edges().length ?? 0;
    });
    const zoomedPan = panFigures(await pan(page, 'now'));
    await page.close();
    return {
      resources: estate.length,
      nodes: graph.nodes.length,
      edges: graph.edges.length,
      graphBytes: bytes,
      compactBytes: Buffer.byteLength(JSON.stringify(graph)),
      graphColdMs,
      graphMs: cached[Math.floor(cached.length / 2)] ?? NaN,
      firstFrameMs: first.firstFrameAt,
      renderAfterRequestMs: first.firstRenderMs,
      drawMs: first.firstRenderMs - first.answerMs,
      completeMs: first.completeMs,
      firstPan,
      completePan,
      settledPan,
      zoomedPan,
      zoomedEdges,
    };
  } finally {
    await chromium.close();
    await host.stop();
    await emulator.close();
    await redis.stop();
  }
}

export async function main(): Promise<{ pass: boolean }> {
  console.log('\nPage benchmark: the graph view in headless chromium over a synthetic connected estate');
  console.log(
    '  resources  nodes   edges   /api/graph (KB as served / unindented; ms uncached / cached)  first frame (ms, from navigation / from request / from answer)  all drawn (ms from request)  pan frame gap p95 / max (ms): from the first frame; from all drawn; 1 s later; zoomed in (edges drawn then)',
  );
  const rows: PageFigures[] = [];
  for (const n of [2_000, 10_000]) {
    const r = await measure(n);
    rows.push(r);
    console.log(
      `  ${String(r.resources).padStart(9)}  ${String(r.nodes).padStart(5)}  ${String(r.edges).padStart(6)}  ${(r.graphBytes / 1024).toFixed(0).padStart(10)} / ${(r.compactBytes / 1024).toFixed(0)} KB; ${r.graphColdMs.toFixed(0)} / ${r.graphMs.toFixed(0)} ms  ${r.firstFrameMs.toFixed(0).padStart(22)} / ${r.renderAfterRequestMs.toFixed(0).padStart(5)} / ${r.drawMs.toFixed(0).padStart(5)}  ${r.completeMs.toFixed(0).padStart(34)}  ${[r.firstPan, r.completePan, r.settledPan, r.zoomedPan].map((p) => `${p.p95Ms.toFixed(1)} / ${p.maxMs.toFixed(1)}`).join('; ')} (${r.zoomedEdges})`,
    );
  }
  const large = rows[rows.length - 1] as PageFigures;
  const renderOk = large.firstFrameMs < 3000;
  const panOk = large.firstPan.p95Ms < 50 && large.completePan.p95Ms < 50;
  console.log(
    `  target first render under 3 s at 10,000: ${large.firstFrameMs.toFixed(0)} ms ${renderOk ? 'PASS' : 'FAIL'} (every node, clustered; all of the first view in at ${large.completeMs.toFixed(0)} ms from the request; edges follow the zoom)`,
  );
  console.log(
    `  target panning without stalls (frame gap p95 < 50 ms, panning from the first frame and from all drawn on): ${large.firstPan.p95Ms.toFixed(1)} and ${large.completePan.p95Ms.toFixed(1)} ms ${panOk ? 'PASS' : 'FAIL'} (longest gaps ${large.firstPan.maxMs.toFixed(1)} and ${large.completePan.maxMs.toFixed(1)} ms; ${large.settledPan.p95Ms.toFixed(1)} ms p95 a second later; pans began ${large.firstPan.lateMs.toFixed(0)} and ${large.completePan.lateMs.toFixed(0)} ms after their moment)`,
  );
  // Not a target yet: zoomed in past a quarter, the renderer's layered bitmaps of 10,000 nodes
  // would exceed its size limit, so each frame goes over every element to find those in view.
  console.log(
    `  zoomed in (zoom 1, ${large.zoomedEdges} edges drawn for the nodes in view), not a target: pan frame gap p95 ${large.zoomedPan.p95Ms.toFixed(1)} ms, longest ${large.zoomedPan.maxMs.toFixed(1)} ms`,
  );
  return { pass: renderOk && panOk };
}

if (require.main === module) {
  main().then(
    (r) => process.exit(r.pass ? 0 : 1),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
