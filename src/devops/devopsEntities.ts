import { readJsonColumns, writeJsonColumns } from '../storage/jsonColumns';
import type { Application, CanonicalEnvironment, Deployment, Pipeline, Repository } from './DevOpsItems';
import {
  applicationPartitionKey,
  applicationRowKey,
  deploymentRowKey,
  devopsProjectPartitionKey,
  tableKey,
} from '../storage/keys';
import type { TableEntity } from '../storage/resourceEntity';

type Row = Record<string, unknown>;

const ENV_COLUMN = /^env_([0-9a-f]+)$/;

/** The column an environment deployment record sets on its build's row: `env_<hex of the name>`. */
export function environmentColumn(environment: string): string {
  return `env_${Buffer.from(environment, 'utf8').toString('hex')}`;
}

export function repositoryEntity(r: Repository, scanId: string, seenAt: string): TableEntity {
  const { lastCommit, ...rest } = r;
  return {
    partitionKey: devopsProjectPartitionKey(r.organization, r.project),
    rowKey: r.id,
    ...rest,
    ...writeJsonColumns('lastCommit', lastCommit ?? null),
    scanId,
    lastSeenAt: seenAt,
  };
}

export function entityToRepository(e: Row): Repository {
  const lastCommit = readJsonColumns<Repository['lastCommit'] | null>('lastCommit', e, null);
  return {
    key: tableKey(String(e.partitionKey), String(e.rowKey)),
    id: String(e.id),
    name: String(e.name),
    organization: String(e.organization),
    project: String(e.project),
    ...(typeof e.url === 'string' ? { url: e.url } : {}),
    ...(typeof e.webUrl === 'string' ? { webUrl: e.webUrl } : {}),
    ...(typeof e.defaultBranch === 'string' ? { defaultBranch: e.defaultBranch } : {}),
    ...(typeof e.sizeBytes === 'number' ? { sizeBytes: e.sizeBytes } : {}),
    isDisabled: e.isDisabled === true,
    ...(lastCommit ? { lastCommit } : {}),
  };
}

export function pipelineEntity(p: Pipeline, scanId: string, seenAt: string): TableEntity {
  return {
    partitionKey: devopsProjectPartitionKey(p.organization, p.project),
    rowKey: String(p.id),
    ...p,
    scanId,
    lastSeenAt: seenAt,
  };
}

export function entityToPipeline(e: Row): Pipeline {
  return {
    key: tableKey(String(e.partitionKey), String(e.rowKey)),
    id: Number(e.id),
    name: String(e.name),
    ...(typeof e.folder === 'string' ? { folder: e.folder } : {}),
    ...(typeof e.revision === 'number' ? { revision: e.revision } : {}),
    organization: String(e.organization),
    project: String(e.project),
    ...(typeof e.url === 'string' ? { url: e.url } : {}),
  };
}

export function deploymentEntity(d: Omit<Deployment, 'environments'>, scanId: string): TableEntity {
  return {
    partitionKey: devopsProjectPartitionKey(d.organization, d.project),
    rowKey: deploymentRowKey(d.id),
    ...d,
    scanId,
  };
}

/** The environments a row's `env_*` columns name, in the order they were reached. */
export function environmentsOf(e: Row): Array<{ name: string; at: string }> {
  const out: Array<{ name: string; at: string }> = [];
  for (const [k, v] of Object.entries(e)) {
    const m = ENV_COLUMN.exec(k);
    if (m?.[1]) out.push({ name: Buffer.from(m[1], 'hex').toString('utf8'), at: String(v) });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at) || a.name.localeCompare(b.name));
}

export function entityToDeployment(e: Row): Deployment {
  const envs = environmentsOf(e);
  const str = (k: string) => (typeof e[k] === 'string' ? { [k]: e[k] as string } : {});
  const num = (k: string) => (typeof e[k] === 'number' ? { [k]: e[k] as number } : {});
  return {
    key: tableKey(String(e.partitionKey), String(e.rowKey)),
    id: Number(e.id),
    organization: String(e.organization),
    project: String(e.project),
    ...num('pipelineId'),
    ...str('pipelineName'),
    ...num('runNumber'),
    ...str('version'),
    status: String(e.status) as Deployment['status'],
    ...str('commitSha'),
    ...str('branch'),
    ...str('repositoryId'),
    ...str('repositoryName'),
    ...str('requestedBy'),
    ...str('queuedAt'),
    ...str('startedAt'),
    ...str('finishedAt'),
    ...num('durationSeconds'),
    ...(envs.length ? { environment: envs[envs.length - 1]?.name } : {}),
    environments: envs.map((x) => x.name),
  };
}

export function applicationEntity(a: Application, scanId: string): TableEntity {
  return {
    partitionKey: applicationPartitionKey(a.environment),
    rowKey: applicationRowKey(a.name),
    name: a.name,
    environment: a.environment,
    ...writeJsonColumns('repositoryIds', a.repositoryIds),
    ...writeJsonColumns('resourceIds', a.resourceIds),
    ...writeJsonColumns('deploymentIds', a.deploymentIds),
    owner: a.owner ?? '',
    currentVersion: a.currentVersion ?? '',
    lastDeployedAt: a.lastDeployedAt ?? '',
    deploymentCount: a.deploymentCount,
    scanId,
  };
}

export function entityToApplication(e: Row): Application {
  const opt = (k: string) => (typeof e[k] === 'string' && e[k] ? { [k]: e[k] as string } : {});
  return {
    key: tableKey(String(e.partitionKey), String(e.rowKey)),
    name: String(e.name),
    environment: String(e.environment) as CanonicalEnvironment,
    repositoryIds: readJsonColumns<string[]>('repositoryIds', e, []),
    resourceIds: readJsonColumns<string[]>('resourceIds', e, []),
    deploymentIds: readJsonColumns<number[]>('deploymentIds', e, []),
    ...opt('owner'),
    ...opt('currentVersion'),
    ...opt('lastDeployedAt'),
    deploymentCount: Number(e.deploymentCount ?? 0),
  };
}
