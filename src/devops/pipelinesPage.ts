import type { PageMessage } from '../scan/messages';
import type { ExtensionPage } from '../scan/ScanExtension';
import { upsertInBatches } from '../storage/tables';
import { DEVOPS_PAGE_SIZE, type DevOpsContext } from './DevOpsContext';
import { pipelineEntity } from './devopsEntities';
import { mapPipeline } from './mapPipeline';
import type { PipelineJson } from './restTypes';

/** One page of a project's pipeline definitions, paged by `x-ms-continuationtoken`. */
export async function pipelinesPage(
  ctx: DevOpsContext,
  project: string,
  msg: PageMessage,
): Promise<ExtensionPage> {
  const { body, continuationToken } = await ctx.client.get<{ value?: PipelineJson[] }>({
    path: `${encodeURIComponent(project)}/_apis/pipelines`,
    query: { $top: DEVOPS_PAGE_SIZE, continuationToken: msg.continuationToken },
    project,
    scope: 'Build: Read',
    what: 'pipelines',
  });
  const list = body.value ?? [];
  return {
    ...(continuationToken ? { continuationToken } : {}),
    write: async () => {
      const seenAt = ctx.now().toISOString();
      const rows = list.map((p) =>
        pipelineEntity(mapPipeline(p, ctx.organization, project), msg.scanId, seenAt),
      );
      await upsertInBatches(ctx.tables.pipelines, rows, 'Replace');
      return { items: rows.length, added: 0, modified: 0 };
    },
  };
}
