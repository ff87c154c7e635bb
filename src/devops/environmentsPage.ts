import pLimit from 'p-limit';
import type { PageMessage } from '../scan/messages';
import type { ExtensionPage } from '../scan/ScanExtension';
import { deploymentRowKey, devopsProjectPartitionKey } from '../storage/keys';
import type { TableEntity } from '../storage/resourceEntity';
import { upsertInBatches } from '../storage/tables';
import { DEVOPS_PAGE_SIZE, type DevOpsContext } from './DevOpsContext';
import { environmentColumn } from './devopsEntities';
import { isoTime } from './isoTime';
import type { DeploymentRecordJson, EnvironmentJson } from './restTypes';

/**
 * One page of deployment records of every environment that has more, fetched side by side:
 * the task's chain of sequential calls is the longest environment's, not their sum.
 */
export async function environmentsPage(
  ctx: DevOpsContext,
  project: string,
  msg: PageMessage,
): Promise<ExtensionPage> {
  const client = ctx.client;
  let pending = msg.continuationToken
    ? (JSON.parse(msg.continuationToken) as Array<[number, string, string?]>)
    : undefined;
  if (!pending) {
    const envs = await client.listAll<EnvironmentJson>({
      path: `${encodeURIComponent(project)}/_apis/distributedtask/environments`,
      query: { $top: DEVOPS_PAGE_SIZE },
      project,
      scope: 'Environment: Read',
      what: 'environments',
    });
    pending = envs.map((e) => [e.id, e.name]);
  }
  const limit = pLimit(8);
  const pages = await Promise.all(
    pending.map(([envId, envName, token]) =>
      limit(async () => {
        const { body, continuationToken } = await client.get<{ value?: DeploymentRecordJson[] }>({
          path: `${encodeURIComponent(project)}/_apis/distributedtask/environments/${envId}/environmentdeploymentrecords`,
          query: { top: DEVOPS_PAGE_SIZE, continuationToken: token },
          project,
          scope: 'Environment: Read',
          what: `deployment records of environment ${envName}`,
        });
        return { envId, envName, records: body.value ?? [], continuationToken };
      }),
    ),
  );
  const next = pages
    .filter((p) => p.continuationToken)
    .map((p): [number, string, string?] => [p.envId, p.envName, p.continuationToken]);
  const rows: TableEntity[] = [];
  let items = 0;
  for (const p of pages) {
    const column = environmentColumn(p.envName);
    for (const r of p.records) {
      if (!Number.isInteger(r.owner?.id) || ['failed', 'canceled'].includes((r.result ?? '').toLowerCase()))
        continue;
      items++;
      rows.push({
        partitionKey: devopsProjectPartitionKey(ctx.organization, project),
        rowKey: deploymentRowKey(r.owner?.id as number),
        [column]: isoTime(r.finishTime ?? r.startTime ?? r.queueTime) ?? '',
      });
    }
  }
  return {
    ...(next.length ? { continuationToken: JSON.stringify(next) } : {}),
    write: async () => {
      // Merge sets one column per environment, so runs of this task and of the builds task
      // never overwrite each other.
      await upsertInBatches(ctx.tables.deployments, dedupe(rows), 'Merge');
      return { items, added: 0, modified: 0 };
    },
  };
}

/** One row per key (a batch may not hold the same entity twice); the latest value wins. */
function dedupe(rows: TableEntity[]): TableEntity[] {
  const byKey = new Map<string, TableEntity>();
  for (const r of rows) {
    const k = `${r.partitionKey}\n${r.rowKey}`;
    const prev = byKey.get(k);
    byKey.set(k, prev ? { ...prev, ...r } : r);
  }
  return [...byKey.values()];
}
