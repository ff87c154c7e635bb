import type { TopDeckError } from '../errors/TopDeckError';
import type { PageMessage } from '../scan/messages';
import type { ScanRow, TaskRow } from '../scan/ScanRecords';
import type { ExtensionPage, PlannedTask, ScanExtension } from '../scan/ScanExtension';
import type { GroupedError } from '../scan/summarizeTasks';
import { escapeKeyPart } from '../storage/keys';
import type { Tables } from '../storage/tables';
import type { Logger } from '../telemetry/logger';
import { buildsPage } from './buildsPage';
import { moveWatermark } from './buildsWatermark';
import { DEVOPS_PAGE_SIZE, type DevOpsContext } from './DevOpsContext';
import type { DevOpsClient } from './DevOpsClient';
import { environmentsPage } from './environmentsPage';
import { pipelinesPage } from './pipelinesPage';
import { removeGoneRepositories } from './removeGoneRepositories';
import { repositoriesPage } from './repositoriesPage';
import type { ProjectJson } from './restTypes';
import { storeApplications } from './storeApplications';

export const DEVOPS_KINDS = ['repositories', 'pipelines', 'builds', 'environments'] as const;
export type DevOpsKind = (typeof DEVOPS_KINDS)[number] | 'projects';

const TYPE_PREFIX = 'AzureDevOps/';

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

/**
 * Azure DevOps in the scan: one task per (project, kind), a page per message. Repositories page
 * through the (unpaged) repository list 25 at a time with each one's latest commits; pipeline
 * definitions and builds page with `x-ms-continuationtoken`, builds from the project's watermark on; environments page through each
 * environment's deployment records. Finalize moves the watermarks, drops repositories and pipelines gone
 * from a project that was read completely, and infers the applications.
 */
export class DevOpsScanExtension implements ScanExtension {
  private readonly org: string;
  private readonly ctx: DevOpsContext;

  constructor(private readonly o: DevOpsScanExtensionOptions) {
    this.org = o.client.organization;
    this.ctx = {
      client: o.client,
      tables: o.tables,
      organization: this.org,
      commitCount: o.commitCount,
      logger: o.logger,
      now: o.now ?? (() => new Date()),
    };
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
        return repositoriesPage(this.ctx, project, msg);
      case 'pipelines':
        return pipelinesPage(this.ctx, project, msg);
      case 'builds':
        return buildsPage(this.ctx, project, msg);
      case 'environments':
        return environmentsPage(this.ctx, project, msg);
      case 'projects': {
        const projects = await this.listProjects();
        return {
          spawn: projects.flatMap((p) => DEVOPS_KINDS.map((kind) => this.plan(kind, p.name))),
          write: async () => ({ items: 0, added: 0, modified: 0 }),
        };
      }
    }
  }

  async finalize(scan: ScanRow, tasks: TaskRow[]): Promise<GroupedError[]> {
    const mine = tasks.filter((t) => this.owns(t.resourceType));
    if (!mine.length) return [];
    const done = (kind: DevOpsKind) =>
      mine.filter((t) => t.status === 'completed' && kindOf(t.resourceType) === kind && t.project);
    for (const t of done('builds')) await moveWatermark(this.ctx, t.project as string);
    for (const t of done('repositories')) await removeGoneRepositories(this.ctx, scan, t.project as string);
    for (const t of done('pipelines'))
      await removeGoneRepositories(this.ctx, scan, t.project as string, 'pipelines');
    // Applications only from a complete picture: a failed task keeps the previous ones.
    const complete = mine.every((t) => t.status === 'completed') && !tasks.some((t) => t.status === 'failed');
    await storeApplications(this.ctx, scan.scanId, complete);
    return [];
  }
}
