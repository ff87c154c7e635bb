import { devopsProjectPartitionKey, tableKey } from '../storage/keys';
import type { CommitSummary, Repository } from './DevOpsItems';
import type { CommitJson, RepositoryJson } from './restTypes';

export function stripRefsHeads(ref: string | undefined): string | undefined {
  return ref?.replace(/^refs\/heads\//, '') || undefined;
}

export function mapCommit(c: CommitJson): CommitSummary {
  if (!c.commitId) throw new TypeError('commit has no commitId');
  return {
    sha: c.commitId,
    ...(c.comment !== undefined ? { message: c.comment } : {}),
    ...(c.author?.name ? { author: c.author.name } : {}),
    ...(c.author?.date || c.committer?.date ? { date: c.author?.date ?? c.committer?.date } : {}),
  };
}

/** A repository as the list returns it, with its newest commit (none for an empty or disabled one). */
export function mapRepository(
  raw: RepositoryJson,
  organization: string,
  project: string,
  newest: CommitJson | undefined,
  disabled: boolean,
): Repository {
  if (!raw.id || !raw.name) throw new TypeError('repository has no id or name');
  const id = raw.id.toLowerCase();
  return {
    key: tableKey(devopsProjectPartitionKey(organization, project), id),
    id,
    name: raw.name,
    organization,
    project,
    ...(raw.remoteUrl ? { url: raw.remoteUrl } : {}),
    ...(raw.webUrl ? { webUrl: raw.webUrl } : {}),
    ...(stripRefsHeads(raw.defaultBranch) ? { defaultBranch: stripRefsHeads(raw.defaultBranch) } : {}),
    ...(typeof raw.size === 'number' ? { sizeBytes: raw.size } : {}),
    isDisabled: Boolean(raw.isDisabled) || disabled,
    ...(newest ? { lastCommit: mapCommit(newest) } : {}),
  };
}
