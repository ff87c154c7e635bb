import { FINALIZE_QUEUE } from '../discovery/registry';
import { redactText } from '../telemetry/redact';
import type { FinalizeMessage, PageMessage } from './messages';
import { TERMINAL_TASK, type TaskRow } from './ScanRecords';
import type { ScanContext } from './ScanContext';

type TaskRef = Pick<PageMessage, 'scanId' | 'taskId' | 'traceparent'>;

/**
 * A task reaches a terminal status; the last task of a scan sends its finalize message once. The
 * lead task of a Resource Graph chain takes the chain's other tasks with it: the same failure, or
 * completed with the counts `memberFields` gives each.
 */
export async function finishTask(
  ctx: ScanContext,
  msg: TaskRef,
  status: 'completed' | 'failed' | 'skipped',
  fields: Partial<TaskRow>,
  memberFields?: (taskId: string) => Partial<TaskRow>,
): Promise<void> {
  const at = ctx.now().toISOString();
  const { store } = ctx.deps;
  const own = { status, completedAt: at, updatedAt: at, ...fields };
  if (!memberFields && status !== 'failed' && status !== 'skipped') {
    // Not a chain's end (a chain's lead always passes memberFields when it completes): one write.
    await store.updateTask(msg.scanId, msg.taskId, own);
    return finalizeIfAllTasksDone(ctx, msg.scanId, msg.traceparent);
  }
  const tasks = await store.listTasks(msg.scanId);
  const members = tasks.filter(
    (t) => t.chain === msg.taskId && t.taskId !== msg.taskId && !TERMINAL_TASK.includes(t.status),
  );
  // The chain's tasks in transactions of 100 (one partition: the scan's), the lead's row in the
  // last: a retry after a failure finds the lead open, redoes what is left, and ends it.
  await store.updateTasks(msg.scanId, [
    ...members.map((t) => ({
      taskId: t.taskId,
      fields: {
        status,
        completedAt: at,
        updatedAt: at,
        ...(status === 'completed' && memberFields ? memberFields(t.taskId) : fields),
      },
    })),
    { taskId: msg.taskId, fields: own },
  ]);
  // Re-read after the chain's tasks ended: a task that ended meanwhile read them as still open.
  await finalizeIfAllTasksDone(ctx, msg.scanId, msg.traceparent);
}

export async function failTask(ctx: ScanContext, msg: TaskRef, message: string, code: string): Promise<void> {
  ctx.deps.logger.error('task failed', {
    scanId: msg.scanId,
    taskId: msg.taskId,
    errorCode: code,
    reason: message,
  });
  await finishTask(ctx, msg, 'failed', { error: redactText(message).slice(0, 2000), errorCode: code });
}

/** Sends the scan's finalize message once, when every task is terminal (`tasks`: as just read, else read now). */
export async function finalizeIfAllTasksDone(
  ctx: ScanContext,
  scanId: string,
  traceparent: string | undefined,
  tasks?: TaskRow[],
): Promise<void> {
  tasks ??= await ctx.deps.store.listTasks(scanId);
  if (!tasks.every((t) => TERMINAL_TASK.includes(t.status))) return;
  // The finalize marker is a conditional insert: of two last pages racing, one sends the message.
  if (await ctx.deps.store.claimFinalize(scanId, 'tasks-done')) {
    await enqueueFinalize(ctx, scanId, 'tasks-done', traceparent);
  }
}

export async function enqueueFinalize(
  ctx: ScanContext,
  scanId: string,
  reason: FinalizeMessage['reason'],
  traceparent?: string,
): Promise<void> {
  const message: FinalizeMessage = {
    kind: 'finalize',
    scanId,
    reason,
    correlationId: scanId,
    ...(traceparent ? { traceparent } : {}),
  };
  await ctx.deps.queues.send(FINALIZE_QUEUE, message);
}
