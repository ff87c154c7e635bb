import type { DiscoveredItem } from '../discovery/Resource';
import { discoverQueueName, findDedicated } from '../discovery/registry';
import { listSubscriptionResourcesPage } from '../discovery/types/genericResources';
import { GENERIC_SLUG } from '../discovery/types/genericResources';
import { describeWriteFailure } from './armListingSource';
import { describeFailure } from './describeFailure';
import { pageCounts, type PageSource } from './PageSource';
import type { ScanContext } from './ScanContext';
import type { PlannedTask } from './ScanExtension';
import { taskIdFor } from './taskIdFor';
import { writeResources } from './writeResources';

/**
 * A page of a subscription's whole generic list (the Resource Manager path, read once per scan):
 * every type it names is kept. Items of a type with a dedicated discoverer are that
 * discoverer's (its task is added to the scan the first time a page names the type, as a
 * DevOps page adds tasks); every other item is written here, as the generic list gives it.
 */
export function inventorySource(ctx: ScanContext): PageSource {
  return {
    queueName: () => `discover-${GENERIC_SLUG}`,
    async read(msg) {
      const listedAt = ctx.now().toISOString();
      const page = await listSubscriptionResourcesPage({
        subscriptionId: msg.subscriptionId,
        resourceGroup: msg.resourceGroup,
        continuationToken: msg.continuationToken,
        arm: ctx.deps.arm,
      });
      return {
        ...(page.continuationToken ? { next: { continuationToken: page.continuationToken } } : {}),
        async write() {
          const own: DiscoveredItem[] = [];
          const dedicatedTypes = new Set<string>();
          for (const item of page.items) {
            const d = findDedicated(item.type);
            if (d) dedicatedTypes.add(d.type);
            else own.push(item);
          }
          const spawn = await tasksToAdd(ctx, msg, dedicatedTypes);
          const written = await writeResources(ctx, msg, own, [], {
            typeOf: (item) => item.type,
            canonicalType: '',
            listedAt,
          });
          return {
            counts: pageCounts({
              items: own.length,
              skipped: page.skipped ?? [],
              warnings: page.warnings ?? [],
              written,
            }),
            ...(spawn.length ? { spawn } : {}),
          };
        },
      };
    },
    describeFailure: (error, msg, stage) =>
      stage === 'write'
        ? { kind: 'fail', message: describeWriteFailure(error) }
        : {
            kind: 'fail',
            message: `the generic resource list of subscription ${msg.subscriptionId} failed, so types without a dedicated listing are missing from this scan: ${describeFailure(error, { ...msg, resourceType: 'Microsoft.Resources/resources' }).message}`,
          },
  };
}

/** Tasks for the dedicated types this page names that the scan has no task for yet. */
async function tasksToAdd(
  ctx: ScanContext,
  msg: { scanId: string; subscriptionId: string; resourceGroup?: string },
  types: Set<string>,
): Promise<PlannedTask[]> {
  if (!types.size) return [];
  const existing = new Set((await ctx.deps.store.listTasks(msg.scanId)).map((t) => t.taskId));
  const out: PlannedTask[] = [];
  for (const type of [...types].sort()) {
    const d = findDedicated(type);
    if (!d) continue;
    const taskId = taskIdFor(msg.subscriptionId, d, msg.resourceGroup, type);
    if (existing.has(taskId)) continue;
    out.push({
      task: {
        taskId,
        subscriptionId: msg.subscriptionId,
        resourceType: d.type,
        ...(msg.resourceGroup ? { resourceGroup: msg.resourceGroup } : {}),
      },
      queueName: discoverQueueName(d),
    });
  }
  return out;
}
