import { classifyError } from '../errors/classifyError';
import type { PageMessage } from './messages';
import type { PageCounts, SourcePage } from './PageSource';
import { TERMINAL_TASK } from './ScanRecords';
import type { DeliveryInfo, ScanContext } from './ScanContext';
import { completeTaskIfDone, taskOutcome } from './completeTaskIfDone';
import { failTask, finalizeIfAllTasksDone } from './finishTask';
import { handlePageError } from './handlePageError';
import { pageSourceFor } from './pageSourceFor';
import { spawnTasks } from './spawnTasks';

export type PageOutcome = 'done' | 'duplicate' | 'skipped' | 'failed';

type Tally = { items: number; added: number; modified: number };

/**
 * One page of one task. Safe to run twice and to retry after a crash at any line: the page
 * marker is claimed by message id, writes are upserts keyed by resource id, and completion is
 * derived from the markers, not from counters.
 */
export async function processPage(
  ctx: ScanContext,
  msg: PageMessage,
  delivery: DeliveryInfo,
): Promise<PageOutcome> {
  const startedMs = performance.now();
  const tally: Tally = { items: 0, added: 0, modified: 0 };
  let outcome: PageOutcome | 'error' = 'error';
  try {
    outcome = await processPageOnce(ctx, msg, delivery, tally);
    return outcome;
  } finally {
    const metrics = ctx.deps.metrics;
    metrics?.recordOperation({
      operation: 'scanPage',
      durationMs: performance.now() - startedMs,
      success: outcome !== 'failed' && outcome !== 'error',
      errors: outcome === 'failed' || outcome === 'error' ? 1 : 0,
      ...tally,
      ...metrics.callCounts(),
      correlationId: msg.scanId,
      outcome,
      resourceType: msg.resourceType,
    });
  }
}

async function processPageOnce(
  ctx: ScanContext,
  msg: PageMessage,
  delivery: DeliveryInfo,
  tally: Tally,
): Promise<PageOutcome> {
  const { store, logger } = ctx.deps;
  const log = logger.child({ scanId: msg.scanId, taskId: msg.taskId, page: msg.page });
  log.debug('page started', { dequeueCount: delivery.dequeueCount });
  const nowIso = ctx.now().toISOString();
  // The task read and the page claim go together: they sit on every page's critical path.
  const [task, claimed] = await Promise.all([
    store.getTask(msg.scanId, msg.taskId),
    store.claimPage(msg.scanId, {
      taskId: msg.taskId,
      page: msg.page,
      state: 'claimed',
      messageId: delivery.messageId,
      updatedAt: nowIso,
    }),
  ]);
  if (!task) {
    log.warn('page message for an unknown task dropped', { reason: 'no such scan task' });
    return 'duplicate';
  }
  if (TERMINAL_TASK.includes(task.status)) return 'duplicate';
  if (!claimed) {
    const marker = await store.getPageMarker(msg.scanId, msg.taskId, msg.page);
    if (marker && marker.messageId !== delivery.messageId) {
      log.info('duplicate page message ignored', { claimedBy: marker.messageId });
      return 'duplicate';
    }
    if (marker?.state === 'done') {
      await completeTaskIfDone(ctx, msg);
      return 'duplicate';
    }
    // Our own earlier attempt claimed it and did not finish: carry on.
  }
  const source = pageSourceFor(ctx, msg);
  if (!source) {
    await failTask(
      ctx,
      msg,
      `no discoverer for ${msg.resourceType}: this build does not know the type`,
      'UnknownResourceType',
    );
    return 'failed';
  }

  let page: SourcePage;
  try {
    page = await source.read(msg);
    // The next page's fetch overlaps this page's remaining calls and writes.
    if (page.next) {
      // A task of one page goes from pending to completed in one write, at its end.
      if (task.status === 'pending' && msg.page === 1)
        await store.updateTask(msg.scanId, msg.taskId, {
          status: 'running',
          startedAt: nowIso,
          updatedAt: nowIso,
        });
      await ctx.deps.queues.send(source.queueName(msg), {
        ...msg,
        ...page.next,
        page: msg.page + 1,
      } satisfies PageMessage);
    }
    await page.complete?.();
  } catch (e) {
    const error = classifyError(e, `listing ${msg.resourceType} page ${msg.page}`);
    return handlePageError(ctx, source, msg, error, delivery, 'read');
  }
  let counts: PageCounts;
  try {
    const written = await page.write();
    counts = written.counts;
    if (written.spawn?.length) await spawnTasks(ctx, msg, written.spawn);
  } catch (e) {
    const error = classifyError(e, `writing ${msg.resourceType} page ${msg.page}`);
    return handlePageError(ctx, source, msg, error, delivery, 'write');
  }
  Object.assign(tally, { items: counts.items, added: counts.added, modified: counts.modified });
  const doneAt = ctx.now().toISOString();
  const marker = { state: 'done' as const, isLast: !page.next, ...counts, updatedAt: doneAt };
  if (msg.page === 1 && !page.next && !msg.chain) {
    // A task of one page (most, on an estate of many small subscriptions): no other marker to
    // wait for, so the marker and the task's outcome go in one transaction. A retry after it finds
    // the marker done and completes the task from the markers, as for any task.
    await store.finishOnePageTask(msg.scanId, msg.taskId, marker, {
      status: 'completed',
      startedAt: task.startedAt || nowIso,
      completedAt: doneAt,
      updatedAt: doneAt,
      ...(task.lastError ? { lastError: '' } : {}),
      ...taskOutcome([marker]),
      ...(counts.seen !== undefined ? { seen: counts.seen } : {}),
    });
    log.debug('page done', { ...counts, seen: undefined, more: false });
    await finalizeIfAllTasksDone(ctx, msg.scanId, msg.traceparent);
    return 'done';
  }
  await store.updatePageMarker(msg.scanId, msg.taskId, msg.page, marker);
  // Progress lives in the page markers (the watchdog reads them); the task row is written only
  // to clear an error an earlier delivery recorded.
  if (task.lastError) await store.updateTask(msg.scanId, msg.taskId, { updatedAt: doneAt, lastError: '' });
  log.debug('page done', { ...counts, seen: undefined, more: Boolean(page.next) });
  await completeTaskIfDone(ctx, msg);
  return 'done';
}
