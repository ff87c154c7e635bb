import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from '../support/localHost';

interface LiveView {
  status: string;
  pages: number;
  tasks: { total: number; completed: number; failed: number; skipped: number; pending: number };
  counts: { resources: number; added: number; modified: number; removed: number };
  taskProgress?: Array<{ taskId: string; status: string; pages: number; resources: number }>;
}

describe('live progress of a running scan', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({
      emulator: {
        subscriptionCount: 2,
        connected: false,
        vmsPerSubscription: 300,
        pageSize: 20,
        latencyMs: 40,
        // auto: the 600 VMs are one Resource Graph chain of 30 pages
        graphPageSize: 20,
        graphQuota: false,
      },
    });
  });
  afterAll(async () => host?.stop());

  it('rises monotonically while the demo estate is scanned and ends equal to the final counts', async () => {
    const reads: Array<{ taskId: string; fromPage: number; rows: number }> = [];
    const store = host.services.store;
    const original = store.listPageMarkersFrom.bind(store);
    store.listPageMarkersFrom = async (scanId, taskId, fromPage) => {
      const rows = await original(scanId, taskId, fromPage);
      reads.push({ taskId, fromPage, rows: rows.length });
      return rows;
    };

    const started = await host.api<{ scanId: string }>('POST', '/api/scans');
    expect(started.status).toBe(202);
    const views: LiveView[] = [];
    for (;;) {
      const { body } = await host.api<LiveView>('GET', `/api/scans/${started.body.scanId}`);
      views.push(body);
      if (['completed', 'partial', 'failed'].includes(body.status)) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    store.listPageMarkersFrom = original;

    const final = views[views.length - 1] as LiveView;
    expect(final.status).toBe('completed');
    expect(final.counts.resources).toBe(600);
    expect(final.pages).toBe(30);
    const running = views.filter((v) => v.status === 'running');
    // Live: the counts moved before the end, not only at it.
    expect(running.some((v) => v.counts.resources > 0 && v.counts.resources < 600)).toBe(true);
    expect(running.some((v) => v.pages > 0 && v.pages < 30)).toBe(true);
    for (const v of running) {
      expect(v.taskProgress).toHaveLength(2);
      expect(v.counts.resources).toBe(v.taskProgress?.reduce((n, t) => n + t.resources, 0));
    }
    for (let i = 1; i < views.length; i++) {
      const [a, b] = [views[i - 1] as LiveView, views[i] as LiveView];
      expect(b.pages, `read ${i}`).toBeGreaterThanOrEqual(a.pages);
      expect(b.counts.resources, `read ${i}`).toBeGreaterThanOrEqual(a.counts.resources);
      expect(b.counts.added, `read ${i}`).toBeGreaterThanOrEqual(a.counts.added);
      expect(b.tasks.completed, `read ${i}`).toBeGreaterThanOrEqual(a.tasks.completed);
    }
    // The last running read already held what the stored record holds.
    // a first scan is the baseline: nothing counts as added
    expect(final.counts).toMatchObject({ resources: 600, added: 0, modified: 0, removed: 0 });
    expect(final.taskProgress).toBeUndefined();

    // Cheap: each poll reads a task's markers from past the pages it already folded.
    expect(reads.length).toBeGreaterThan(0);
    for (const taskId of new Set(reads.map((r) => r.taskId))) {
      const from = reads.filter((r) => r.taskId === taskId).map((r) => r.fromPage);
      expect(from).toEqual([...from].sort((x, y) => x - y));
      expect(from[from.length - 1]).toBeGreaterThan(1);
    }
    expect(Math.max(...reads.map((r) => r.rows))).toBeLessThan(15);
  });
});
