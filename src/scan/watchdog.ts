import { TERMINAL_SCAN, TERMINAL_TASK } from './ScanRecords';
import type { ScanContext } from './ScanContext';
import { enqueueFinalize } from './finishTask';

/**
 * Ends scans whose tasks stopped moving: every task terminal but no finalize seen
 * (a crash between claim and enqueue), or no task updated for the watchdog period.
 */
export async function watchdog(ctx: ScanContext): Promise<string[]> {
  const { store, logger } = ctx.deps;
  const now = ctx.now().getTime();
  const staleMs = ctx.deps.defaults.watchdogMinutes * 60_000;
  const ended: string[] = [];
  for (const scan of await store.listScans(200)) {
    if (TERMINAL_SCAN.includes(scan.status)) continue;
    const tasks = await store.listTasks(scan.scanId);
    const markers = await store.listPageMarkers(scan.scanId);
    const lastMove = Math.max(
      Date.parse(scan.startedAt),
      ...tasks.map((t) => Date.parse(t.updatedAt) || 0),
      ...markers.map((m) => Date.parse(m.updatedAt) || 0),
    );
    const allDone = tasks.every((t) => TERMINAL_TASK.includes(t.status));
    // All tasks done but no finalize after 2 minutes (in milliseconds): its message was lost.
    if (now - lastMove < (allDone ? Math.min(staleMs, 120_000) : staleMs)) continue;
    logger.warn('watchdog ends a stalled scan', {
      scanId: scan.scanId,
      idleMinutes: Math.round((now - lastMove) / 60_000),
    });
    await enqueueFinalize(ctx, scan.scanId, allDone ? 'tasks-done' : 'watchdog', scan.traceparent);
    ended.push(scan.scanId);
  }
  return ended;
}
