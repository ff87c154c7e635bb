import pLimit from 'p-limit';
import type { TopDeckError } from '../errors/TopDeckError';
import type { PageMessage } from '../scan/messages';
import type { ExtensionPage } from '../scan/ScanExtension';
import { commitPartitionKey, escapeKeyPart } from '../storage/keys';
import type { TableEntity } from '../storage/resourceEntity';
import { upsertInBatches } from '../storage/tables';
import type { DevOpsContext } from './DevOpsContext';
import { repositoryEntity } from './devopsEntities';
import { mapCommit, mapRepository } from './mapRepository';
import type { CommitJson, RepositoryJson } from './restTypes';

/** Repositories read per page (one commits call each). */
export const REPOSITORIES_PER_PAGE = 25;

/**
 * One page of a project's repositories: the (unpaged) list walked 25 at a time, each with its
 * latest commits.
 */
export async function repositoriesPage(
  ctx: DevOpsContext,
  project: string,
  msg: PageMessage,
): Promise<ExtensionPage> {
  const client = ctx.client;
  // The continuation is the last id read: a repository deleted meanwhile shifts nothing.
  const after = msg.continuationToken ?? '';
  const { body } = await client.get<{ value?: RepositoryJson[] }>({
    path: `${encodeURIComponent(project)}/_apis/git/repositories`,
    project,
    scope: 'Code: Read',
    what: 'repositories',
  });
  // The list is not paged by the service; pages of this task walk it in a stable order.
  const rest = (body.value ?? [])
    .filter((r) => (r.id ?? '').toLowerCase() > after)
    // Code-unit order, the same order as the `>` above (localeCompare would differ on '-').
    .sort((a, b) => ((a.id ?? '').toLowerCase() < (b.id ?? '').toLowerCase() ? -1 : 1));
  const chunk = rest.slice(0, REPOSITORIES_PER_PAGE);
  const next = rest.length > REPOSITORIES_PER_PAGE ? chunk[chunk.length - 1]?.id.toLowerCase() : undefined;
  return {
    ...(next ? { continuationToken: next } : {}),
    // The commits are read in the write step, after the next page went out: the pages of a
    // project's repositories overlap instead of queueing behind each other's commits calls.
    write: async () => {
      const limit = pLimit(8);
      const read = await Promise.all(
        chunk.map((raw) =>
          limit(async () => {
            if (raw.isDisabled) return { raw, commits: [] as CommitJson[], disabled: true };
            try {
              const { body: commits } = await client.get<{ value?: CommitJson[] }>({
                path: `${encodeURIComponent(project)}/_apis/git/repositories/${encodeURIComponent(raw.id)}/commits`,
                query: { 'searchCriteria.$top': ctx.commitCount },
                project,
                scope: 'Code: Read',
                what: `commits of repository ${raw.name}`,
              });
              return { raw, commits: commits.value ?? [], disabled: false };
            } catch (e) {
              // A disabled repository answers 404 for its commits: recorded, not an error.
              if ((e as TopDeckError).statusCode === 404)
                return { raw, commits: [] as CommitJson[], disabled: true };
              throw e;
            }
          }),
        ),
      );
      const seenAt = ctx.now().toISOString();
      const repos: TableEntity[] = [];
      const commits: TableEntity[] = [];
      for (const { raw, commits: list, disabled } of read) {
        const repo = mapRepository(raw, ctx.organization, project, list[0], disabled);
        repos.push(repositoryEntity(repo, msg.scanId, seenAt));
        for (const c of list) {
          const summary = mapCommit(c);
          commits.push({
            partitionKey: commitPartitionKey(ctx.organization, project, repo.id),
            rowKey: escapeKeyPart(summary.sha),
            repositoryId: repo.id,
            project,
            ...summary,
          });
        }
      }
      await Promise.all([
        upsertInBatches(ctx.tables.repositories, repos, 'Replace'),
        upsertInBatches(ctx.tables.commits, commits, 'Replace'),
      ]);
      return { items: repos.length, added: 0, modified: 0 };
    },
  };
}
