import { FINALIZE_QUEUE } from '../discovery/registry';
import { redactText } from '../telemetry/redact';
import type { FinalizeMessage, PageMessage } from './messages';
import { TERMINAL_TASK, type TaskRow } from './ScanRecords';
import type { ScanContext } from './ScanContext';

type TaskRef = Pick<PageMessage, 'scanId' | 'taskId' | 'traceparent'>;

/** A task reaches a terminal status; the last task of a scan sends its finalize message once. */
export async function finishTask(
  ctx: ScanContext,
  msg: TaskRef,
  status: 'completed' | 'failed' | 'skipped',
  fields: Partial<TaskRow>,
): Promise<void> {
  const at = ctx.now().toISOString();
  await ctx.deps.store.updateTask(msg.scanId, msg.taskId, {
    status,
    completedAt: at,
    updatedAt: at,
    ...fields,
  });
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

/** Sends the scan's finalize message once, when every task is terminal. */
export async function finalizeIfAllTasksDone(
  ctx: ScanContext,
  scanId: string,
  traceparent?: string,
): Promise<void> {
  const tasks = await ctx.deps.store.listTasks(scanId);
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
