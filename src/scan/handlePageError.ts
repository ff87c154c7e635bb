import type { TopDeckError } from '../errors/TopDeckError';
import { redactText } from '../telemetry/redact';
import type { PageMessage } from './messages';
import type { PageSource } from './PageSource';
import type { DeliveryInfo, ScanContext } from './ScanContext';
import { failTask, finishTask } from './finishTask';

/**
 * A page that threw: a transient error is recorded and rethrown (queue redelivery is the outer
 * retry); a permanent one ends the task, skipped or failed as its source describes it.
 */
export async function handlePageError(
  ctx: ScanContext,
  source: PageSource,
  msg: PageMessage,
  error: TopDeckError,
  delivery: DeliveryInfo,
  stage: 'read' | 'write',
): Promise<'skipped' | 'failed'> {
  const log = ctx.deps.logger.child({ scanId: msg.scanId, taskId: msg.taskId, page: msg.page });
  if (error.transient) {
    // Recorded so the poison handler can say why, then thrown: queue redelivery is the outer retry.
    await ctx.deps.store.updateTask(msg.scanId, msg.taskId, {
      lastError: redactText(`${error.code}: ${error.message}`).slice(0, 2000),
      updatedAt: ctx.now().toISOString(),
    });
    log.warn('page failed transiently; the queue will redeliver it', {
      errorCode: error.code,
      statusCode: error.statusCode,
      dequeueCount: delivery.dequeueCount,
    });
    throw error;
  }
  const failure = source.describeFailure(error, msg, stage);
  if (failure.kind === 'skip') {
    await finishTask(ctx, msg, 'skipped', { error: failure.message, errorCode: error.code });
    log.info('task skipped', { reason: failure.message });
    return 'skipped';
  }
  await failTask(ctx, msg, failure.message, error.code);
  return 'failed';
}
