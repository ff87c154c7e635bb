import type { PageMessage } from './messages';
import type { PlannedTask } from './ScanExtension';
import type { ScanContext } from './ScanContext';

/**
 * Tasks a page found, added to its running scan before that page is marked done (so the scan
 * cannot finalize without them); a redelivery adds nothing twice and its page-1 messages lose
 * the page claim.
 */
export async function spawnTasks(ctx: ScanContext, msg: PageMessage, planned: PlannedTask[]): Promise<void> {
  const { store, queues } = ctx.deps;
  const at = ctx.now().toISOString();
  await store.addTasks(
    msg.scanId,
    planned.map((p) => ({ ...p.task, status: 'pending', updatedAt: at })),
  );
  const tasks = await store.listTasks(msg.scanId);
  await store.updateScan(msg.scanId, {
    tasksTotal: tasks.length,
    resourceTypes: JSON.stringify([...new Set(tasks.map((t) => t.resourceType))]),
  });
  for (const p of planned) {
    await queues.send(p.queueName, {
      kind: 'page',
      scanId: msg.scanId,
      taskId: p.task.taskId,
      subscriptionId: p.task.subscriptionId,
      resourceType: p.task.resourceType,
      ...(p.task.resourceGroup ? { resourceGroup: p.task.resourceGroup } : {}),
      ...(p.task.project ? { project: p.task.project } : {}),
      page: 1,
      ...(msg.baseline ? { baseline: true } : {}),
      correlationId: msg.correlationId,
      ...(msg.traceparent ? { traceparent: msg.traceparent } : {}),
    } satisfies PageMessage);
  }
}
