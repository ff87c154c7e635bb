import { deploymentRowKey, devopsProjectPartitionKey, tableKey } from '../storage/keys';
import { deploymentStatus } from './deploymentStatus';
import type { Deployment } from './DevOpsItems';
import { isoTime } from './isoTime';
import { stripRefsHeads } from './mapRepository';
import type { BuildJson } from './restTypes';

/**
 * A build as a deployment. Who: `requestedFor` (the person), not `requestedBy` (often the
 * service identity that queued it). The run number only when the build number is all digits.
 * Environments come from the environment deployment records, merged separately.
 */
export function mapBuild(
  raw: BuildJson,
  organization: string,
  project: string,
): Omit<Deployment, 'environments'> {
  if (!Number.isInteger(raw.id)) throw new TypeError('build has no numeric id');
  const started = raw.startTime ? Date.parse(raw.startTime) : NaN;
  const finished = raw.finishTime ? Date.parse(raw.finishTime) : NaN;
  const who = raw.requestedFor?.displayName || raw.requestedFor?.uniqueName;
  return {
    key: tableKey(devopsProjectPartitionKey(organization, project), deploymentRowKey(raw.id)),
    id: raw.id,
    organization,
    project,
    ...(raw.definition?.id !== undefined ? { pipelineId: raw.definition.id } : {}),
    ...(raw.definition?.name ? { pipelineName: raw.definition.name } : {}),
    ...(raw.buildNumber && /^\d+$/.test(raw.buildNumber) ? { runNumber: Number(raw.buildNumber) } : {}),
    ...(raw.buildNumber ? { version: raw.buildNumber } : {}),
    status: deploymentStatus(raw.status, raw.result),
    ...(raw.sourceVersion ? { commitSha: raw.sourceVersion } : {}),
    ...(stripRefsHeads(raw.sourceBranch) ? { branch: stripRefsHeads(raw.sourceBranch) } : {}),
    ...(raw.repository?.id ? { repositoryId: raw.repository.id.toLowerCase() } : {}),
    ...(raw.repository?.name ? { repositoryName: raw.repository.name } : {}),
    ...(who ? { requestedBy: who } : {}),
    ...(isoTime(raw.queueTime) ? { queuedAt: isoTime(raw.queueTime) } : {}),
    ...(isoTime(raw.startTime) ? { startedAt: isoTime(raw.startTime) } : {}),
    ...(isoTime(raw.finishTime) ? { finishedAt: isoTime(raw.finishTime) } : {}),
    ...(Number.isFinite(started) && Number.isFinite(finished)
      ? { durationSeconds: Math.round((finished - started) / 1000) }
      : {}),
  };
}
