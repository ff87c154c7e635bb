import type { PageMessage } from '../scan/messages';
import type { ExtensionPage } from '../scan/ScanExtension';
import { upsertInBatches } from '../storage/tables';
import { readWatermark } from './buildsWatermark';
import { DEVOPS_PAGE_SIZE, type DevOpsContext } from './DevOpsContext';
import { deploymentEntity } from './devopsEntities';
import { mapBuild } from './mapBuild';
import type { BuildJson } from './restTypes';

/**
 * One page of a project's builds, as deployments: paged by `x-ms-continuationtoken` from the
 * project's watermark on; page 1 also reads again, by id, the builds still running last time.
 */
export async function buildsPage(
  ctx: DevOpsContext,
  project: string,
  msg: PageMessage,
): Promise<ExtensionPage> {
  const client = ctx.client;
  const state = msg.continuationToken
    ? (JSON.parse(msg.continuationToken) as { t: string; m?: string })
    : undefined;
  const builds: BuildJson[] = [];
  let minTime = state?.m;
  if (!state) {
    const watermark = await readWatermark(ctx, project);
    if (watermark?.maxQueueTime) minTime = new Date(Date.parse(watermark.maxQueueTime) + 1).toISOString();
    // Builds that were still running: read again by id, whatever their queue time.
    for (let i = 0; i < (watermark?.running.length ?? 0); i += DEVOPS_PAGE_SIZE) {
      const ids = watermark?.running.slice(i, i + DEVOPS_PAGE_SIZE) ?? [];
      const { body } = await client.get<{ value?: BuildJson[] }>({
        path: `${encodeURIComponent(project)}/_apis/build/builds`,
        query: { buildIds: ids.join(',') },
        project,
        scope: 'Build: Read',
        what: 'builds',
      });
      builds.push(...(body.value ?? []));
    }
  }
  const { body, continuationToken } = await client.get<{ value?: BuildJson[] }>({
    path: `${encodeURIComponent(project)}/_apis/build/builds`,
    query: {
      queryOrder: 'queueTimeAscending',
      $top: DEVOPS_PAGE_SIZE,
      minTime,
      continuationToken: state?.t,
    },
    project,
    scope: 'Build: Read',
    what: 'builds',
  });
  builds.push(...(body.value ?? []));
  return {
    ...(continuationToken
      ? { continuationToken: JSON.stringify({ t: continuationToken, ...(minTime ? { m: minTime } : {}) }) }
      : {}),
    write: async () => {
      const rows = builds.map((b) => deploymentEntity(mapBuild(b, ctx.organization, project), msg.scanId));
      // Merge: the environment columns the deployment records set stay.
      await upsertInBatches(ctx.tables.deployments, rows, 'Merge');
      return { items: rows.length, added: 0, modified: 0 };
    },
  };
}
