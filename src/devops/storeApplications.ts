import type { TableClient } from '@azure/data-tables';
import { deleteInBatches, upsertInBatches } from '../storage/tables';
import type { DevOpsContext } from './DevOpsContext';
import type { Deployment, Repository } from './DevOpsItems';
import { applicationEntity, entityToDeployment, entityToRepository } from './devopsEntities';
import { inferApplications, type TaggedResource } from './inferApplications';

/**
 * Infers the applications from every repository, deployment and tagged Azure resource stored,
 * and writes them; those no longer inferred are removed only after a complete scan.
 */
export async function storeApplications(
  ctx: DevOpsContext,
  scanId: string,
  complete: boolean,
): Promise<void> {
  const repositories: Repository[] = [];
  for await (const e of ctx.tables.repositories.listEntities()) repositories.push(entityToRepository(e));
  const deployments: Deployment[] = [];
  for await (const e of ctx.tables.deployments.listEntities()) {
    if (typeof e.status === 'string') deployments.push(entityToDeployment(e));
  }
  const resources: TaggedResource[] = [];
  for await (const e of ctx.tables.resources.listEntities<{ id?: string; name?: string; tags?: string }>({
    queryOptions: { select: ['id', 'name', 'tags'] },
  })) {
    if (!e.id) continue;
    try {
      const tags = (e.tags ? JSON.parse(e.tags) : {}) as Record<string, string> | null;
      resources.push({ id: e.id, ...(e.name ? { name: e.name } : {}), tags: tags ?? {} });
    } catch {
      // A row whose tags do not parse names no application.
    }
  }
  const apps = inferApplications({ repositories, deployments, resources });
  const rows = apps.map((a) => applicationEntity(a, scanId));
  await upsertInBatches(ctx.tables.applications, rows, 'Replace');
  if (!complete) return;
  const keep = new Set(rows.map((r) => `${r.partitionKey}\n${r.rowKey}`));
  const stale: Array<{ partitionKey: string; rowKey: string }> = [];
  for await (const e of listKeys(ctx.tables.applications)) {
    if (!keep.has(`${e.partitionKey}\n${e.rowKey}`)) stale.push(e);
  }
  if (stale.length) await deleteInBatches(ctx.tables.applications, stale);
  ctx.logger.info('applications inferred', { applications: apps.length, removed: stale.length });
}

async function* listKeys(table: TableClient): AsyncGenerator<{ partitionKey: string; rowKey: string }> {
  for await (const e of table.listEntities({ queryOptions: { select: ['PartitionKey', 'RowKey'] } })) {
    yield { partitionKey: e.partitionKey as string, rowKey: e.rowKey as string };
  }
}
