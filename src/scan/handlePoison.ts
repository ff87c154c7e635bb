import type { FinalizeMessage, PageMessage } from './messages';
import { TERMINAL_SCAN, TERMINAL_TASK } from './ScanRecords';
import type { ScanContext } from './ScanContext';
import { failTask } from './finishTask';
import type { GroupedError } from './summarizeTasks';

/** A page message that exhausted its deliveries: its task fails with the last recorded reason. */
export async function handlePoison(ctx: ScanContext, msg: PageMessage): Promise<void> {
  const task = await ctx.deps.store.getTask(msg.scanId, msg.taskId);
  if (!task || TERMINAL_TASK.includes(task.status)) return;
  const reason = task.lastError
    ? `page ${msg.page} failed on every delivery and went to the poison queue; last error: ${task.lastError}`
    : `page ${msg.page} failed on every delivery and went to the poison queue`;
  await failTask(ctx, msg, reason, 'PoisonMessage');
}

/** The finalize message itself kept failing: the scan ends partial rather than waiting forever. */
export async function handleFinalizePoison(
  ctx: ScanContext,
  msg: FinalizeMessage,
  reason: string,
): Promise<void> {
  const scan = await ctx.deps.store.getScan(msg.scanId);
  if (!scan || TERMINAL_SCAN.includes(scan.status)) return;
  const errors: GroupedError[] = [{ code: 'FinalizeFailed', count: 1, message: reason, tasks: [] }];
  await ctx.deps.store.updateScan(msg.scanId, {
    status: 'partial',
    completedAt: ctx.now().toISOString(),
    errors: JSON.stringify(errors),
  });
  ctx.deps.logger.error('finalize went to the poison queue; scan ended partial', {
    scanId: msg.scanId,
    reason,
  });
}
