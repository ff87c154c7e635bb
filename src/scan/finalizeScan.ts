import { earliest } from './completeTaskIfDone';
import pLimit from 'p-limit';
import { classifyError } from '../errors/classifyError';
import { redactText } from '../telemetry/redact';
import { removeExpiredTombstones } from '../storage/tombstones';
import type { FinalizeMessage } from './messages';
import { TERMINAL_SCAN, TERMINAL_TASK, type ScanRow } from './ScanRecords';
import type { ScanContext } from './ScanContext';
import { baselineSubscriptions, recordBaseline } from './recordBaseline';
import { removalWork } from './removeUnseen';
import { summarizeTasks } from './summarizeTasks';

/**
 * Exactly-once effects: a scan already in a terminal state is left alone, and every
 * step before the final status write is idempotent, so a retry after a crash redoes it.
 */
export async function finalizeScan(ctx: ScanContext, msg: FinalizeMessage): Promise<ScanRow | undefined> {
  const { store, logger } = ctx.deps;
  const scan = await store.getScan(msg.scanId);
  if (!scan) {
    logger.warn('finalize message for an unknown scan dropped', { scanId: msg.scanId });
    return undefined;
  }
  if (TERMINAL_SCAN.includes(scan.status)) return scan;
  const log = logger.child({ scanId: msg.scanId });
  const at = ctx.now().toISOString();
  let tasks = await store.listTasks(msg.scanId);
  if (msg.reason === 'watchdog') {
    for (const t of tasks.filter((t) => !TERMINAL_TASK.includes(t.status))) {
      const error = `no progress for ${ctx.deps.defaults.watchdogMinutes} minutes; the watchdog ended the task${t.lastError ? ` (last error: ${t.lastError})` : ''}`;
      await store.updateTask(msg.scanId, t.taskId, {
        status: 'failed',
        error,
        errorCode: 'Stalled',
        completedAt: at,
        updatedAt: at,
      });
    }
    tasks = await store.listTasks(msg.scanId);
  }

  // Nothing lost: only an Azure task that finished every page cleanly may remove rows (a task
  // that skipped items did not see everything), and only its scopes count as seen now.
  const clean = tasks.filter(
    (t) => t.status === 'completed' && !t.skippedItems && !ctx.extensionFor(t.resourceType),
  );
  // Tasks' scopes are disjoint: their removals go 4 at a time (an error still fails finalize),
  // their reads shared where the keys allow (removalWork).
  const work = removalWork(ctx, scan, clean, tasks);
  const limit = pLimit(4);
  const removals = (await Promise.all(work.map((w) => limit(w)))).flat();
  const removed = removals.reduce((n, r) => n + r.removed, 0);
  log.debug('finalize: unseen rows removed', { removed, tasks: clean.length });
  // Housekeeping: events' delete marks older than a day hold back no page any more.
  try {
    const expired = await removeExpiredTombstones(ctx.deps.tables.tombstones, ctx.now());
    if (expired) log.debug('finalize: expired tombstones removed', { expired });
  } catch (e) {
    log.warn('expired tombstones not removed; the next finalize tries again', {
      reason: redactText(e instanceof Error ? e.message : String(e)).slice(0, 300),
    });
  }
  await store.recordCoverage(
    removals.flatMap((r) =>
      r.scopes.map((scope) => ({ scope, scanId: msg.scanId, at: r.task.completedAt ?? at })),
    ),
  );
  const summary = summarizeTasks(tasks);
  const graphSnapshotAt = earliest(tasks.map((t) => t.graphSnapshotAt));
  // A scan the watchdog ended is partial (design.md): it stopped, it did not fail outright.
  const noSubscriptions = !(JSON.parse(scan.subscriptionIds || '[]') as string[]).length;
  const status: ScanRow['status'] =
    tasks.length === 0
      ? noSubscriptions
        ? 'failed'
        : 'completed'
      : summary.failed === 0
        ? summary.skippedItems
          ? 'partial'
          : 'completed'
        : summary.completed + summary.skipped > 0 || msg.reason === 'watchdog'
          ? 'partial'
          : 'failed';
  const errors = summary.errors;
  // An extension's own finalize step (application inference) adds its errors, never fails the scan.
  for (const extension of ctx.deps.extensions ?? []) {
    try {
      errors.push(...((await extension.finalize?.(scan, tasks)) ?? []));
    } catch (e) {
      const error = classifyError(e, 'scan extension finalize');
      log.error('extension finalize failed; the scan keeps its results', { errorCode: error.code });
      errors.push({ code: error.code, count: 1, message: redactText(error.message), tasks: [] });
    }
  }
  // After the extensions: the graph links applications (which they infer) to what they hold.
  log.debug('finalize: extensions done');
  const baseline = baselineSubscriptions(scan);
  const graph = ctx.deps.dependencies
    ? await ctx.deps.dependencies(msg.scanId, at, { baseline: (s) => baseline.has(s) })
    : { dependencies: 0, edgesAdded: 0, edgesRemoved: 0 };
  log.debug('finalize: dependency graph stored', { ...graph });
  await recordBaseline(ctx, scan, at);
  if (tasks.length === 0 && noSubscriptions)
    errors.push({
      code: 'NoSubscriptions',
      count: 1,
      message: 'no subscription is visible to the identity: set AZURE_SUBSCRIPTION_IDS or grant Reader',
      tasks: [],
    });
  const final: Partial<ScanRow> = {
    status,
    completedAt: at,
    tasksCompleted: summary.completed,
    tasksFailed: summary.failed,
    tasksSkipped: summary.skipped,
    resources: summary.resources,
    dependencies: graph.dependencies,
    edgesAdded: graph.edgesAdded,
    edgesRemoved: graph.edgesRemoved,
    added: summary.added,
    modified: summary.modified,
    removed,
    pages: summary.pages,
    errors: JSON.stringify(errors),
    ...(graphSnapshotAt ? { graphSnapshotAt } : {}),
  };
  await store.updateScan(msg.scanId, final);
  const result = { ...scan, ...final } as ScanRow;
  if (ctx.deps.onScanFinalized) await ctx.deps.onScanFinalized(result);
  const durationMs = Date.parse(at) - Date.parse(scan.startedAt);
  ctx.deps.metrics?.recordOperation({
    operation: 'scan',
    durationMs,
    success: status === 'completed',
    items: final.resources,
    errors: summary.failed,
    pages: final.pages,
    added: final.added,
    modified: final.modified,
    removed,
    tasksFailed: summary.failed,
    tasksSkipped: summary.skipped,
    correlationId: msg.scanId,
    status,
    trigger: scan.trigger,
  });
  log.info('scan finalized', {
    status,
    resources: final.resources,
    added: final.added,
    modified: final.modified,
    removed,
    tasksFailed: summary.failed,
    durationMs,
  });
  return result;
}
