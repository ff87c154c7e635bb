import { devopsProjectPartitionKey, escapeKeyPart, odataString } from '../storage/keys';
import { getEntityOrUndefined } from '../storage/tables';
import type { DevOpsContext } from './DevOpsContext';

/** Where a project's builds listing starts next scan. */
export interface Watermark {
  /** Latest queue time seen, ISO. */
  maxQueueTime?: string;
  /** Builds still running at the last scan: fetched again by id. */
  running: number[];
}

export async function readWatermark(ctx: DevOpsContext, project: string): Promise<Watermark | undefined> {
  const row = await getEntityOrUndefined<{ maxQueueTime?: string; running?: string }>(
    ctx.tables.devopswatermarks,
    escapeKeyPart(ctx.organization),
    escapeKeyPart(project),
  );
  if (!row) return undefined;
  return {
    maxQueueTime: row.maxQueueTime || undefined,
    running: JSON.parse(row.running ?? '[]') as number[],
  };
}

/** The newest queue time and the builds still running, from what the project's rows say now. */
export async function moveWatermark(ctx: DevOpsContext, project: string): Promise<void> {
  let maxQueueTime = '';
  const running: number[] = [];
  for await (const e of ctx.tables.deployments.listEntities<{
    id?: number;
    queuedAt?: string;
    status?: string;
  }>({
    queryOptions: {
      filter: `PartitionKey eq ${odataString(devopsProjectPartitionKey(ctx.organization, project))}`,
      select: ['id', 'queuedAt', 'status'],
    },
  })) {
    if (e.queuedAt && e.queuedAt > maxQueueTime) maxQueueTime = e.queuedAt;
    if (e.status === 'in_progress' && typeof e.id === 'number') running.push(e.id);
  }
  await ctx.tables.devopswatermarks.upsertEntity(
    {
      partitionKey: escapeKeyPart(ctx.organization),
      rowKey: escapeKeyPart(project),
      maxQueueTime,
      running: JSON.stringify(running.sort((a, b) => a - b)),
      updatedAt: ctx.now().toISOString(),
    },
    'Replace',
  );
}
