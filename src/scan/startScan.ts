import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { Discoverer } from '../discovery/Discoverer';
import { discoverQueueName, findDiscoverer } from '../discovery/registry';
import { genericResources } from '../discovery/types/genericResources';
import { withOperation } from '../telemetry/logger';
import type { PageMessage } from './messages';
import { isInventoryTask } from './inventoryTask';
import { graphReadable } from './graphSource';
import { planChains } from './planChains';
import { planTasks } from './planTasks';
import type { ScanRow, TaskRow } from './ScanRecords';
import type { ScanContext, StartScanRequest } from './ScanContext';
import { enqueueFinalize } from './finishTask';
import { taskIdFor } from './taskIdFor';

/** Plans a scan's tasks, records them, and sends each task's first page message. */
export async function startScan(ctx: ScanContext, request: StartScanRequest): Promise<ScanRow> {
  const scanId = `${ctx
    .now()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
  // Every line of this scan carries its id as the correlation id.
  return withOperation({ correlationId: scanId }, () => launchScan(ctx, scanId, request));
}

async function launchScan(ctx: ScanContext, scanId: string, request: StartScanRequest): Promise<ScanRow> {
  const { store, arm, logger, defaults } = ctx.deps;
  const resourceGroup = request.resourceGroup ?? defaults.resourceGroup;
  let subscriptionIds = request.subscriptionIds?.length ? request.subscriptionIds : defaults.subscriptionIds;
  if (!subscriptionIds.length) subscriptionIds = await arm.listSubscriptionIds();
  subscriptionIds = [...new Set(subscriptionIds.map((s) => s.toLowerCase()))];
  const {
    tasks: planned,
    inventory,
    counts,
  } = await planTasks(
    { arm, store, logger },
    subscriptionIds,
    resourceGroup,
    request.resourceTypes,
    defaults.inventorySource,
  );
  // No scope of a subscription ever listed cleanly: this scan is its baseline.
  const covered = new Set((await store.listCoverage()).map((c) => c.scope.split('|')[0]));
  const baseline = new Set(subscriptionIds.filter((s) => !covered.has(s)));
  const startedAt = ctx.now().toISOString();
  const tasks: TaskRow[] = planned.map((p) => ({
    taskId: taskIdFor(p.subscriptionId, p.discoverer, resourceGroup, p.resourceType),
    subscriptionId: p.subscriptionId,
    resourceType: p.resourceType,
    ...(resourceGroup ? { resourceGroup } : {}),
    status: 'pending',
    updatedAt: startedAt,
  }));
  // The Resource Graph path: the types Graph can serve are read by chains over batches of tasks.
  const chains =
    inventory.source === 'resourcegraph'
      ? planChains(
          tasks.filter(graphPaged).map((t) => ({
            taskId: t.taskId,
            subscriptionId: t.subscriptionId,
            type: t.resourceType.toLowerCase(),
          })),
          (s, type) => counts?.get(s)?.get(type) ?? 0,
        )
      : [];
  const chainOf = new Map(chains.flatMap((c) => c.taskIds.map((id) => [id, c.lead] as const)));
  for (const t of tasks) {
    const lead = chainOf.get(t.taskId);
    if (lead) t.chain = lead;
  }
  const extensionQueues = new Map<string, string>();
  for (const extension of ctx.deps.extensions ?? []) {
    for (const planned of await extension.planTasks({
      scanId,
      resourceTypes: request.resourceTypes,
      subscriptionIds,
      resourceGroup,
      inventorySource: inventory.source,
    })) {
      tasks.push({ ...planned.task, status: 'pending', updatedAt: startedAt });
      extensionQueues.set(planned.task.taskId, planned.queueName);
    }
  }
  const scan: ScanRow = {
    scanId,
    status: 'queued',
    trigger: request.trigger,
    startedAt,
    correlationId: scanId,
    subscriptionIds: JSON.stringify(subscriptionIds),
    resourceTypes: JSON.stringify([...new Set(tasks.map((t) => t.resourceType))]),
    ...(resourceGroup ? { resourceGroup } : {}),
    tasksTotal: tasks.length,
    inventorySource: inventory.source,
    inventorySourceReason: inventory.reason,
    ...(baseline.size ? { baselineSubscriptions: JSON.stringify([...baseline]) } : {}),
    ...(request.traceparent ? { traceparent: request.traceparent } : {}),
  };
  await store.createScan(scan);
  await store.createTasks(scanId, tasks);
  const log = logger.child({ scanId });
  if (!tasks.length) {
    log.warn(
      subscriptionIds.length
        ? 'scan has no tasks: the subscriptions hold no resources'
        : 'scan has no tasks: no subscription is visible to the identity',
      { subscriptions: subscriptionIds.length },
    );
    await enqueueFinalize(ctx, scanId, 'tasks-done', request.traceparent);
    return scan;
  }
  // Running before the first message goes out: a fast scan may finalize before this returns.
  await store.updateScan(scanId, { status: 'running' });
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const messages: Array<{ queueName: string; message: PageMessage }> = [];
  for (const t of tasks) {
    if (t.chain) continue;
    messages.push({
      queueName:
        extensionQueues.get(t.taskId) ??
        discoverQueueName(
          isInventoryTask(t) ? genericResources : (findDiscoverer(t.resourceType) as Discoverer),
        ),
      message: firstPage(t, baseline.has(t.subscriptionId)),
    });
  }
  for (const c of chains) {
    const lead = byId.get(c.lead) as TaskRow;
    const chainBaseline = c.subscriptionIds.filter((s) => baseline.has(s));
    messages.push({
      queueName: discoverQueueName(genericResources),
      message: {
        ...firstPage(lead, false),
        source: 'resourcegraph',
        chain: {
          subscriptionIds: c.subscriptionIds,
          types: c.types,
          ...(chainBaseline.length ? { baseline: chainBaseline } : {}),
        },
      },
    });
  }
  function firstPage(t: TaskRow, isBaseline: boolean): PageMessage {
    return {
      kind: 'page',
      scanId,
      taskId: t.taskId,
      subscriptionId: t.subscriptionId,
      resourceType: t.resourceType,
      ...(t.resourceGroup ? { resourceGroup: t.resourceGroup } : {}),
      ...(t.project ? { project: t.project } : {}),
      page: 1,
      ...(isBaseline ? { baseline: true } : {}),
      correlationId: scanId,
      ...(request.traceparent ? { traceparent: request.traceparent } : {}),
    };
  }
  const limit = pLimit(16);
  await Promise.all(messages.map((m) => limit(() => ctx.deps.queues.send(m.queueName, m.message))));
  log.info('scan started', {
    tasks: tasks.length,
    ...(chains.length ? { graphChains: chains.length } : {}),
    subscriptions: subscriptionIds.length,
    trigger: request.trigger,
  });
  return { ...scan, status: 'running' };
}

/** A task of the Resource Graph plan whose pages come from Graph (graphSource.ts says which types). */
function graphPaged(t: TaskRow): boolean {
  return !t.project && !isInventoryTask(t) && graphReadable(findDiscoverer(t.resourceType));
}
