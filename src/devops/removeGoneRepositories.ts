import type { ScanRow } from '../scan/ScanRecords';
import { devopsProjectPartitionKey, odataString } from '../storage/keys';
import { deleteInBatches } from '../storage/tables';
import type { DevOpsContext } from './DevOpsContext';

/**
 * Repositories (or pipeline definitions) of a project read completely by this scan that it did
 * not see: deleted in Azure DevOps.
 */
export async function removeGoneRepositories(
  ctx: DevOpsContext,
  scan: ScanRow,
  project: string,
  table: 'repositories' | 'pipelines' = 'repositories',
): Promise<void> {
  const gone: Array<{ partitionKey: string; rowKey: string }> = [];
  for await (const e of ctx.tables[table].listEntities<{ scanId?: string; lastSeenAt?: string }>({
    queryOptions: {
      filter: `PartitionKey eq ${odataString(devopsProjectPartitionKey(ctx.organization, project))}`,
      select: ['PartitionKey', 'RowKey', 'scanId', 'lastSeenAt'],
    },
  })) {
    if (e.scanId !== scan.scanId && (e.lastSeenAt ?? '') < scan.startedAt)
      gone.push({ partitionKey: e.partitionKey as string, rowKey: e.rowKey as string });
  }
  if (gone.length) await deleteInBatches(ctx.tables[table], gone);
}
