import type { TableClient } from '@azure/data-tables';
import pLimit from 'p-limit';
import type { TopDeckError } from '../errors/TopDeckError';
import type { PageMessage } from '../scan/messages';
import type { ScanRow, TaskRow } from '../scan/ScanRecords';
import type { ExtensionPage, PlannedTask, ScanExtension } from '../scan/ScanExtension';
import type { GroupedError } from '../scan/summarizeTasks';
import {
  commitPartitionKey,
  deploymentRowKey,
  devopsProjectPartitionKey,
  escapeKeyPart,
  odataString,
} from '../storage/keys';
import type { TableEntity } from '../storage/resourceEntity';
import { deleteInBatches, getEntityOrUndefined, upsertInBatches, type Tables } from '../storage/tables';
import type { Logger } from '../telemetry/logger';
import type { DevOpsClient } from './DevOpsClient';
import type { Deployment, Repository } from './DevOpsItems';
import {
  applicationEntity,
  deploymentEntity,
  entityToDeployment,
  entityToRepository,
  environmentColumn,
  repositoryEntity,
} from './devopsEntities';
import { inferApplications, type TaggedResource } from './inferApplications';
import { mapBuild } from './mapBuild';
import { mapCommit, mapRepository } from './mapRepository';
import type {
  BuildJson,
  CommitJson,
  DeploymentRecordJson,
  EnvironmentJson,
  ProjectJson,
  RepositoryJson,
} from './restTypes';

export const DEVOPS_KINDS = ['repositories', 'builds', 'environments'] as const;
export type DevOpsKind = (typeof DEVOPS_KINDS)[number] | 'projects';

const TYPE_PREFIX = 'AzureDevOps/';
/** Repositories read per page (one commits call each). */
export const REPOSITORIES_PER_PAGE = 25;
/** Builds and deployment records asked for per call; the service caps build pages near 100 anyway. */
export const DEVOPS_PAGE_SIZE = 100;

export function devopsResourceType(kind: DevOpsKind): string {
  return `${TYPE_PREFIX}${kind}`;
}

export function devopsQueueName(kind: DevOpsKind): string {
  return `discover-devops-${kind}`;
}

/** Every DevOps queue (the registry of queues and functions adds these). */
export const DEVOPS_QUEUES: readonly string[] = [...DEVOPS_KINDS, 'projects' as const].map(devopsQueueName);

function kindOf(resourceType: string): DevOpsKind {
  return resourceType.slice(TYPE_PREFIX.length).toLowerCase() as DevOpsKind;
}

export interface DevOpsScanExtensionOptions {
  client: DevOpsClient;
  tables: Tables;
  /** Projects to scan; empty = every project of the organisation. */
  projects: string[];
  commitCount: number;
  logger: Logger;
  now?: () => Date;
}

interface Watermark {
  /** Latest queue time seen, ISO. */
  maxQueueTime?: string;
  /** Builds still running at the last scan: fetched again by id. */
  running: number[];
}

/**
 * Azure DevOps in the scan: one task per (project, kind), a page per message. Repositories page
 * through the (unpaged) repository list 25 at a time with each one's latest commits; builds page
 * with `x-ms-continuationtoken`, from the project's watermark on; environments page through each
 * environment's deployment records. Finalize moves the watermarks, drops repositories gone from
 * a project that was read completely, and infers the applications.
 */
export class DevOpsScanExtension implements ScanExtension {
  private readonly org: string;
  private readonly now: () => Date;

  constructor(private readonly o: DevOpsScanExtensionOptions) {
    this.org = o.client.organization;
    this.now = o.now ?? (() => new Date());
  }

  owns(resourceType: string): boolean {
    return resourceType.toLowerCase().startsWith(TYPE_PREFIX.toLowerCase());
  }

  queueName(resourceType: string): string {
    return devopsQueueName(kindOf(resourceType));
  }

  async planTasks(request: { scanId: string; resourceTypes?: string[] }): Promise<PlannedTask[]> {
    const asked = request.resourceTypes?.length
      ? DEVOPS_KINDS.filter((k) =>
          request.resourceTypes?.some((t) => t.toLowerCase() === devopsResourceType(k).toLowerCase()),
        )
      : [...DEVOPS_KINDS];
    if (!asked.length) return [];
    // Every project: a task lists them and adds the per-project tasks, so starting a scan makes
    // no Azure DevOps call (a slow or failing DevOps never holds up the Azure tasks).
    if (!this.o.projects.length) return [this.plan('projects', '*')];
    return this.o.projects.flatMap((project) => asked.map((kind) => this.plan(kind, project)));
  }

  private plan(kind: DevOpsKind, project: string): PlannedTask {
    return {
      task: {
        taskId: `devops|${escapeKeyPart(this.org)}|${escapeKeyPart(project)}|${kind}`,
        subscriptionId: this.org,
        resourceType: devopsResourceType(kind),
        project,
      },
      queueName: devopsQueueName(kind),
    };
  }

  private listProjects(): Promise<ProjectJson[]> {
    return this.o.client.listAll<ProjectJson>({
      path: '_apis/projects',
      query: { $top: DEVOPS_PAGE_SIZE },
      scope: 'Project and Team: Read',
      what: 'projects',
    });
  }

  describeFailure(error: TopDeckError, msg: PageMessage): string {
    // The client's errors already name the fix (PAT, scope, organisation or project).
    return error.message.startsWith('Azure DevOps')
      ? error.message
      : `Azure DevOps ${kindOf(msg.resourceType)} of project "${msg.project ?? ''}" failed (${error.statusCode ?? ''} ${error.code}): ${error.message}`;
  }

  async fetchPage(msg: PageMessage): Promise<ExtensionPage> {
    const project = msg.project ?? '';
    switch (kindOf(msg.resourceType)) {
      case 'repositories':
        return this.repositoriesPage(project, msg);
      case 'builds':
        return this.buildsPage(project, msg);
      case 'environments':
        return this.environmentsPage(project, msg);
      case 'projects': {
        const projects = await this.listProjects();
        return {
          spawn: projects.flatMap((p) => DEVOPS_KINDS.map((kind) => this.plan(kind, p.name))),
          write: async () => ({ items: 0, added: 0, modified: 0 }),
        };
      }
    }
  }

  private async repositoriesPage(project: string, msg: PageMessage): Promise<ExtensionPage> {
    const client = this.o.client;
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
    const limit = pLimit(8);
    const read = await Promise.all(
      chunk.map((raw) =>
        limit(async () => {
          if (raw.isDisabled) return { raw, commits: [] as CommitJson[], disabled: true };
          try {
            const { body: commits } = await client.get<{ value?: CommitJson[] }>({
              path: `${encodeURIComponent(project)}/_apis/git/repositories/${encodeURIComponent(raw.id)}/commits`,
              query: { 'searchCriteria.$top': this.o.commitCount },
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
    const next = rest.length > REPOSITORIES_PER_PAGE ? chunk[chunk.length - 1]?.id.toLowerCase() : undefined;
    return {
      ...(next ? { continuationToken: next } : {}),
      write: async () => {
        const seenAt = this.now().toISOString();
        const repos: TableEntity[] = [];
        const commits: TableEntity[] = [];
        for (const { raw, commits: list, disabled } of read) {
          const repo = mapRepository(raw, this.org, project, list[0], disabled);
          repos.push(repositoryEntity(repo, msg.scanId, seenAt));
          for (const c of list) {
            const summary = mapCommit(c);
            commits.push({
              partitionKey: commitPartitionKey(this.org, project, repo.id),
              rowKey: escapeKeyPart(summary.sha),
              repositoryId: repo.id,
              project,
              ...summary,
            });
          }
        }
        await Promise.all([
          upsertInBatches(this.o.tables.repositories, repos, 'Replace'),
          upsertInBatches(this.o.tables.commits, commits, 'Replace'),
        ]);
        return { items: repos.length, added: 0, modified: 0 };
      },
    };
  }

  private async readWatermark(project: string): Promise<Watermark | undefined> {
    const row = await getEntityOrUndefined<{ maxQueueTime?: string; running?: string }>(
      this.o.tables.devopswatermarks,
      escapeKeyPart(this.org),
      escapeKeyPart(project),
    );
    if (!row) return undefined;
    return {
      maxQueueTime: row.maxQueueTime || undefined,
      running: JSON.parse(row.running ?? '[]') as number[],
    };
  }

  private async buildsPage(project: string, msg: PageMessage): Promise<ExtensionPage> {
    const client = this.o.client;
    const state = msg.continuationToken
      ? (JSON.parse(msg.continuationToken) as { t: string; m?: string })
      : undefined;
    const builds: BuildJson[] = [];
    let minTime = state?.m;
    if (!state) {
      const watermark = await this.readWatermark(project);
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
        const rows = builds.map((b) => deploymentEntity(mapBuild(b, this.org, project), msg.scanId));
        // Merge: the environment columns the deployment records set stay.
        await upsertInBatches(this.o.tables.deployments, rows, 'Merge');
        return { items: rows.length, added: 0, modified: 0 };
      },
    };
  }

  /**
   * One page of deployment records of every environment that has more, fetched side by side:
   * the task's chain of sequential calls is the longest environment's, not their sum.
   */
  private async environmentsPage(project: string, msg: PageMessage): Promise<ExtensionPage> {
    const client = this.o.client;
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
          partitionKey: devopsProjectPartitionKey(this.org, project),
          rowKey: deploymentRowKey(r.owner?.id as number),
          [column]: r.finishTime ?? r.startTime ?? r.queueTime ?? '',
        });
      }
    }
    return {
      ...(next.length ? { continuationToken: JSON.stringify(next) } : {}),
      write: async () => {
        // Merge sets one column per environment, so runs of this task and of the builds task
        // never overwrite each other.
        await upsertInBatches(this.o.tables.deployments, dedupe(rows), 'Merge');
        return { items, added: 0, modified: 0 };
      },
    };
  }

  async finalize(scan: ScanRow, tasks: TaskRow[]): Promise<GroupedError[]> {
    const mine = tasks.filter((t) => this.owns(t.resourceType));
    if (!mine.length) return [];
    const done = (kind: DevOpsKind) =>
      mine.filter((t) => t.status === 'completed' && kindOf(t.resourceType) === kind && t.project);
    for (const t of done('builds')) await this.moveWatermark(t.project as string);
    for (const t of done('repositories')) await this.removeGoneRepositories(scan, t.project as string);
    // Applications only from a complete picture: a failed task keeps the previous ones.
    const complete = mine.every((t) => t.status === 'completed') && !tasks.some((t) => t.status === 'failed');
    await this.inferApplications(scan.scanId, complete);
    return [];
  }

  /** The newest queue time and the builds still running, from what the project's rows say now. */
  private async moveWatermark(project: string): Promise<void> {
    let maxQueueTime = '';
    const running: number[] = [];
    for await (const e of this.o.tables.deployments.listEntities<{
      id?: number;
      queuedAt?: string;
      status?: string;
    }>({
      queryOptions: {
        filter: `PartitionKey eq ${odataString(devopsProjectPartitionKey(this.org, project))}`,
        select: ['id', 'queuedAt', 'status'],
      },
    })) {
      if (e.queuedAt && e.queuedAt > maxQueueTime) maxQueueTime = e.queuedAt;
      if (e.status === 'in_progress' && typeof e.id === 'number') running.push(e.id);
    }
    await this.o.tables.devopswatermarks.upsertEntity(
      {
        partitionKey: escapeKeyPart(this.org),
        rowKey: escapeKeyPart(project),
        maxQueueTime,
        running: JSON.stringify(running.sort((a, b) => a - b)),
        updatedAt: this.now().toISOString(),
      },
      'Replace',
    );
  }

  private async removeGoneRepositories(scan: ScanRow, project: string): Promise<void> {
    const gone: Array<{ partitionKey: string; rowKey: string }> = [];
    for await (const e of this.o.tables.repositories.listEntities<{ scanId?: string; lastSeenAt?: string }>({
      queryOptions: {
        filter: `PartitionKey eq ${odataString(devopsProjectPartitionKey(this.org, project))}`,
        select: ['PartitionKey', 'RowKey', 'scanId', 'lastSeenAt'],
      },
    })) {
      if (e.scanId !== scan.scanId && (e.lastSeenAt ?? '') < scan.startedAt)
        gone.push({ partitionKey: e.partitionKey as string, rowKey: e.rowKey as string });
    }
    if (gone.length) await deleteInBatches(this.o.tables.repositories, gone);
  }

  private async inferApplications(scanId: string, complete: boolean): Promise<void> {
    const repositories: Repository[] = [];
    for await (const e of this.o.tables.repositories.listEntities()) repositories.push(entityToRepository(e));
    const deployments: Deployment[] = [];
    for await (const e of this.o.tables.deployments.listEntities()) {
      if (typeof e.status === 'string') deployments.push(entityToDeployment(e));
    }
    const resources: TaggedResource[] = [];
    for await (const e of this.o.tables.resources.listEntities<{ id?: string; tags?: string }>({
      queryOptions: { select: ['id', 'tags'] },
    })) {
      if (!e.id || !e.tags) continue;
      try {
        resources.push({ id: e.id, tags: JSON.parse(e.tags) as Record<string, string> });
      } catch {
        // A row whose tags do not parse names no application.
      }
    }
    const apps = inferApplications({ repositories, deployments, resources });
    const rows = apps.map((a) => applicationEntity(a, scanId));
    await upsertInBatches(this.o.tables.applications, rows, 'Replace');
    if (!complete) return;
    const keep = new Set(rows.map((r) => `${r.partitionKey}\n${r.rowKey}`));
    const stale: Array<{ partitionKey: string; rowKey: string }> = [];
    for await (const e of listKeys(this.o.tables.applications)) {
      if (!keep.has(`${e.partitionKey}\n${e.rowKey}`)) stale.push(e);
    }
    if (stale.length) await deleteInBatches(this.o.tables.applications, stale);
    this.o.logger.info('applications inferred', { applications: apps.length, removed: stale.length });
  }
}

async function* listKeys(table: TableClient): AsyncGenerator<{ partitionKey: string; rowKey: string }> {
  for await (const e of table.listEntities({ queryOptions: { select: ['PartitionKey', 'RowKey'] } })) {
    yield { partitionKey: e.partitionKey as string, rowKey: e.rowKey as string };
  }
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
