import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DevOpsScanExtension } from '../../src/devops/DevOpsScanExtension';
import { startDevOpsEmulator, type DevOpsEmulator } from '../../src/emulator/devops';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import type { PageMessage } from '../../src/scan/messages';
import { createTables, ensureTables, type Tables } from '../../src/storage/tables';
import { createLogger } from '../../src/telemetry/logger';
import { devopsTestClient } from './devopsTestClient';

/** The DevOps task pages against the look-alike and real Table Storage (Azurite). */
describe('DevOps task pages', () => {
  let azurite: RunningAzurite;
  let devops: DevOpsEmulator;
  let tables: Tables;
  let extension: DevOpsScanExtension;
  let close: () => Promise<void>;

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    const access = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    tables = createTables(access, 'pages');
    await ensureTables(access, tables);
    devops = await startDevOpsEmulator({
      projects: 1,
      repositories: 60,
      builds: 30,
      commitsPerRepository: 3,
    });
    const made = devopsTestClient(devops);
    close = made.close;
    extension = new DevOpsScanExtension({
      client: made.client,
      tables,
      projects: ['Platform'],
      commitCount: 2,
      logger: createLogger('test'),
    });
  });
  afterAll(async () => {
    await close?.();
    await devops?.close();
    await azurite?.close();
  });

  const message = (resourceType: string, page: number, continuationToken?: string): PageMessage => ({
    kind: 'page',
    scanId: 's1',
    taskId: 't',
    subscriptionId: 'contoso',
    resourceType,
    project: 'Platform',
    page,
    correlationId: 's1',
    ...(continuationToken ? { continuationToken } : {}),
  });

  it('plans one task per (project, kind), and none when only Azure types are asked for', async () => {
    const planned = await extension.planTasks({ scanId: 's1' });
    expect(planned.map((p) => [p.task.resourceType, p.task.project, p.queueName])).toEqual([
      ['AzureDevOps/repositories', 'Platform', 'discover-devops-repositories'],
      ['AzureDevOps/pipelines', 'Platform', 'discover-devops-pipelines'],
      ['AzureDevOps/builds', 'Platform', 'discover-devops-builds'],
      ['AzureDevOps/environments', 'Platform', 'discover-devops-environments'],
    ]);
    expect(
      await extension.planTasks({ scanId: 's1', resourceTypes: ['Microsoft.Compute/virtualMachines'] }),
    ).toEqual([]);
  });

  it('with no projects configured, one task lists them and its page adds the per-project tasks', async () => {
    const made = devopsTestClient(devops);
    const all = new DevOpsScanExtension({
      client: made.client,
      tables,
      projects: [],
      commitCount: 2,
      logger: createLogger('test'),
    });
    try {
      devops.resetLog();
      const planned = await all.planTasks({ scanId: 's1' });
      // Planning calls nothing: a slow Azure DevOps never holds up the start of a scan.
      expect(devops.requestLog()).toEqual([]);
      expect(planned.map((p) => p.task.resourceType)).toEqual(['AzureDevOps/projects']);
      const page = await all.fetchPage(message('AzureDevOps/projects', 1));
      expect(page.spawn?.map((p) => `${p.task.project}/${p.task.resourceType}`)).toEqual([
        'Platform/AzureDevOps/repositories',
        'Platform/AzureDevOps/pipelines',
        'Platform/AzureDevOps/builds',
        'Platform/AzureDevOps/environments',
      ]);
    } finally {
      await made.close();
    }
  });

  it('walks the repository list 25 at a time, and a repository deleted between pages costs no other', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    const project = devops.estate.projects[0];
    if (!project) throw new Error('no project');
    const withCommits = project.repositories.filter((r) => !r.isDisabled && r.commits.length).length;
    for (let page = 1; page < 10; page++) {
      const result = await extension.fetchPage(message('AzureDevOps/repositories', page, token));
      const counts = await result.write();
      expect(counts.items).toBeLessThanOrEqual(25);
      if (page === 1) {
        // Delete one already read: the ids after the continuation do not move.
        const read = new Set<string>();
        for await (const e of tables.repositories.listEntities()) read.add(String(e.id));
        const victim = project.repositories.findIndex((r) => read.has(r.id.toLowerCase()));
        project.repositories.splice(victim, 1);
      }
      token = result.continuationToken;
      if (!token) break;
    }
    for await (const e of tables.repositories.listEntities()) seen.push(String(e.id));
    for (const r of project.repositories) expect(seen).toContain(r.id.toLowerCase());
    // The latest commitCount commits of each repository with commits, keyed by sha.
    let commits = 0;
    for await (const _ of tables.commits.listEntities()) commits++;
    expect(commits).toBe(2 * withCommits);
  });

  it('pages the pipeline definitions by x-ms-continuationtoken, one page per message, keyed by id', async () => {
    const project = devops.estate.projects[0];
    if (!project) throw new Error('no project');
    // 150 definitions: two pages of at most 100.
    for (let id = project.pipelines.length + 1; project.pipelines.length < 150; id++)
      project.pipelines.push({ id, name: `extra-${id}-ci`, repositoryId: project.repositories[0]?.id ?? '' });
    devops.resetLog();
    const counts: number[] = [];
    let token: string | undefined;
    for (let page = 1; page < 5; page++) {
      const result = await extension.fetchPage(message('AzureDevOps/pipelines', page, token));
      counts.push((await result.write()).items);
      token = result.continuationToken;
      if (!token) break;
    }
    expect(counts).toEqual([100, 50]);
    const calls = devops.requestLog();
    expect(calls).toHaveLength(2);
    expect(calls[0]?.path).toContain('/_apis/pipelines');
    expect(calls[1]?.path).toContain('continuationToken=');
    const rows: Array<Record<string, unknown>> = [];
    for await (const e of tables.pipelines.listEntities()) rows.push(e);
    expect(rows).toHaveLength(150);
    const first = rows.find((r) => r.rowKey === '1');
    expect(first).toMatchObject({
      id: 1,
      name: project.pipelines[0]?.name,
      project: 'Platform',
      folder: '\\',
    });
  });

  it('a duplicate delivery of a builds page writes the same rows again and nothing more', async () => {
    const first = await extension.fetchPage(message('AzureDevOps/builds', 1));
    await first.write();
    const again = await extension.fetchPage(message('AzureDevOps/builds', 1));
    await again.write();
    let rows = 0;
    for await (const _ of tables.deployments.listEntities()) rows++;
    expect(rows).toBe(30);
    expect(first.continuationToken).toBeUndefined();
  });
});
