import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOpsEmulator, type DevOpsEmulator } from '../../src/emulator/devops';
import {
  capturedLogs,
  listAllResources,
  startTestHost,
  type ScanView,
  type TestHost,
} from '../support/localHost';

const PAT = 'z9x8c7v6b5n4m3l2k1j0h9g8f7d6s5a4p3o2i1u0y9t8r7e6w5q4';

interface PageOf<T> {
  items: T[];
  continuationToken?: string;
}

async function all<T>(
  host: TestHost,
  route: string,
  query: Record<string, string> = {},
  limit = 40,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const qs = new URLSearchParams({
      ...query,
      limit: String(limit),
      ...(token ? { continuationToken: token } : {}),
    });
    const { status, body } = await host.api<PageOf<T>>('GET', `/api/${route}?${qs}`);
    if (status !== 200) throw new Error(`GET /api/${route} answered ${status}: ${JSON.stringify(body)}`);
    out.push(...body.items);
    token = body.continuationToken;
    if (!token) return out;
  }
  throw new Error('too many pages');
}

async function scan(host: TestHost): Promise<ScanView> {
  const started = await host.api<{ scanId: string }>('POST', '/api/scans');
  expect(started.status).toBe(202);
  return host.waitForScan(started.body.scanId);
}

describe('Azure DevOps in a scan, end to end through the local runtime', () => {
  let host: TestHost;
  let devops: DevOpsEmulator;
  beforeAll(async () => {
    devops = await startDevOpsEmulator({ projects: 2, repositories: 12, builds: 400, pat: PAT });
    host = await startTestHost({
      emulator: { subscriptionCount: 1, connected: false, vmsPerSubscription: 60 },
      devopsEmulator: devops,
      // The default 200 calls a minute would make this test wait on the budget for seconds.
      env: { AZURE_DEVOPS_PAT: PAT, AZURE_DEVOPS_CALLS_PER_MINUTE: '60000' },
    });
  });
  afterAll(async () => {
    await host?.stop();
    await devops?.close();
  });

  it('discovers repositories, deployments and applications alongside the VMs', async () => {
    const view = await scan(host);
    expect(view.status).toBe('completed');
    // 1 VM task + the project listing, which added 2 projects × (repositories, pipelines, builds,
    // environments).
    expect(view.tasks).toMatchObject({ total: 10, completed: 10, failed: 0 });
    // Repositories and builds are not Azure resources.
    expect(view.counts.resources).toBe(60);

    const repos = await all<{
      id: string;
      name: string;
      project: string;
      isDisabled: boolean;
      lastCommit?: { sha: string; message?: string; author?: string };
      defaultBranch?: string;
    }>(host, 'repositories', {}, 5);
    const expected = devops.estate.projects.flatMap((p) => p.repositories);
    expect(repos.map((r) => r.id).sort()).toEqual(expected.map((r) => r.id.toLowerCase()).sort());
    const platform = await all<{ project: string }>(host, 'repositories', { project: 'Platform' });
    expect(platform).toHaveLength(devops.estate.projects[0]?.repositories.length ?? -1);
    // Pipeline definitions: every one its builds ran, per project, at /api/pipelines.
    const pipelines = await all<{ id: number; name: string; project: string; folder?: string }>(
      host,
      'pipelines',
      {},
      5,
    );
    expect(pipelines).toHaveLength(devops.estate.projects.flatMap((p) => p.pipelines).length);
    const platformPipelines = await all<{ name: string }>(host, 'pipelines', { project: 'Platform' });
    expect(platformPipelines.map((p) => p.name).sort()).toEqual(
      (devops.estate.projects[0]?.pipelines ?? []).map((p) => p.name).sort(),
    );
    const disabled = repos.find((r) => r.isDisabled);
    expect(disabled?.lastCommit).toBeUndefined();
    const withCommits = repos.filter((r) => r.lastCommit);
    expect(withCommits).toHaveLength(expected.length - 2); // one disabled, one empty
    expect(withCommits[0]?.lastCommit?.message).toBeTruthy();
    expect(withCommits[0]?.lastCommit?.author).toBeTruthy();
    expect(withCommits[0]?.defaultBranch).toBe('main');

    const deployments = await all<{
      id: number;
      status: string;
      environments: string[];
      environment?: string;
      requestedBy?: string;
      startedAt?: string;
    }>(host, 'deployments', {}, 200);
    expect(deployments).toHaveLength(400);
    const builds = devops.estate.projects.flatMap((p) => p.builds);
    const byId = new Map(deployments.map((d) => [d.id, d]));
    for (const p of devops.estate.projects) {
      for (const r of p.records)
        expect(byId.get(r.buildId)?.environments).toContain(
          p.environments.find((e) => e.id === r.environmentId)?.name,
        );
    }
    expect(deployments.some((d) => d.environment === 'production')).toBe(true);
    const failed = await all<{ status: string }>(host, 'deployments', { status: 'failed' }, 200);
    expect(failed.length).toBe(builds.filter((b) => b.result === 'failed').length);
    const since = builds[300]?.startTime as string;
    const recent = await all<{ startedAt: string }>(host, 'deployments', { since }, 200);
    expect(recent.length).toBe(builds.filter((b) => b.startTime && b.startTime >= since).length);
    expect(recent.every((d) => d.startedAt >= since)).toBe(true);

    const apps = await all<{
      name: string;
      environment: string;
      repositoryIds: string[];
      resourceIds: string[];
      deploymentCount: number;
    }>(host, 'applications', {}, 100);
    const prod = await all<{ name: string; environment: string }>(host, 'applications', {
      environment: 'production',
    });
    expect(prod.every((a) => a.environment === 'production')).toBe(true);
    // Built but never deployed: their names alone put them in no environment.
    expect(apps.filter((a) => a.name === 'product-catalog').map((a) => a.environment)).toEqual(['unknown']);
    expect(apps.filter((a) => a.name === 'devops-tools').map((a) => a.environment)).toEqual(['unknown']);
    // The orders-api repository and the VMs tagged orders-api meet in one application.
    const orders = apps.filter((a) => a.name === 'orders' && a.resourceIds.length && a.repositoryIds.length);
    expect(orders.length).toBeGreaterThan(0);
    expect(apps.some((a) => a.deploymentCount > 0)).toBe(true);

    // The graph links each application to its resources (tags), repositories and deployments.
    const graph = await host.api<{
      nodes: Array<{ id: string; type: string; external: boolean }>;
      edges: Array<{ sourceId: string; targetId: string; method: string }>;
    }>('GET', '/api/graph');
    expect(graph.body.edges).toHaveLength((await host.waitForScan(view.scanId)).counts.dependencies);
    const ordersApp = orders[0] as (typeof orders)[number];
    const appId = `application:${ordersApp.environment}/${ordersApp.name}`;
    expect(graph.body.nodes.find((n) => n.id === appId)).toMatchObject({
      type: 'TopDeck/applications',
      external: false,
    });
    const fromApp = graph.body.edges.filter((e) => e.sourceId === appId);
    expect(
      fromApp
        .filter((e) => e.method === 'tag')
        .map((e) => e.targetId.toLowerCase())
        .sort(),
    ).toEqual(ordersApp.resourceIds.map((r) => r.toLowerCase()).sort());
    expect(fromApp.filter((e) => e.targetId.startsWith('repository:'))).toHaveLength(
      ordersApp.repositoryIds.length,
    );
    const nodeIds = new Set(graph.body.nodes.map((n) => n.id.toLowerCase()));
    expect(graph.body.edges.every((e) => nodeIds.has(e.targetId.toLowerCase()))).toBe(true);
  });

  it('a second scan reads only builds newer than the watermark, plus those that were running', async () => {
    const before = await all<{ id: number }>(host, 'deployments', {}, 500);
    const added = devops.addBuilds('Platform', 3);
    // A pipeline definition deleted in Azure DevOps: gone after a scan that read its project completely.
    const gone = devops.estate.projects[0]?.pipelines.pop();
    devops.resetLog();
    const view = await scan(host);
    expect(view.status).toBe('completed');
    const buildCalls = devops.requestLog().filter((c) => c.path.includes('/_apis/build/builds'));
    // Per project: one call for the builds still running (by id) and one from the watermark on.
    expect(buildCalls).toHaveLength(4);
    const listed = buildCalls.filter((c) => c.path.includes('minTime='));
    expect(listed.map((c) => c.items).sort()).toEqual([0, 3]);
    const after = await all<{ id: number }>(host, 'deployments', {}, 500);
    expect(after.length).toBe(before.length + 3);
    expect(after.map((d) => d.id)).toEqual(expect.arrayContaining(added.map((b) => b.id)));
    const pipelines = await all<{ id: number; project: string }>(host, 'pipelines', { project: 'Platform' });
    expect(pipelines).toHaveLength(devops.estate.projects[0]?.pipelines.length ?? -1);
    expect(pipelines.map((p) => p.id)).not.toContain(gone?.id);
  });

  it('a DevOps failure fails only its tasks: the scan is partial and keeps every result', async () => {
    const resourcesBefore = await listAllResources(host);
    const reposBefore = await all(host, 'repositories');
    devops.setMode('unauthorized');
    try {
      const view = await scan(host);
      expect(view.status).toBe('partial');
      // Listing the projects failed: that one DevOps task records it, and added no others.
      expect(view.tasks).toMatchObject({ total: 2, completed: 1, failed: 1 });
      expect(view.errors.map((e) => e.code)).toEqual(['DevOpsUnauthorized']);
      expect(view.errors[0]?.message).toMatch(/PAT \(AZURE_DEVOPS_PAT\) is invalid or expired/);
      expect(await listAllResources(host)).toHaveLength(resourcesBefore.length);
      expect(await all(host, 'repositories')).toHaveLength(reposBefore.length);
      expect((await all(host, 'applications')).length).toBeGreaterThan(0);
    } finally {
      devops.setMode('ok');
    }
  });

  it('an Azure failure touches no DevOps result', async () => {
    const reposBefore = await all(host, 'repositories');
    // the scan reads Azure from Resource Graph (TOPDECK_INVENTORY_SOURCE=auto): its rows query is refused
    host.emulator.addFault({
      path: /Microsoft\.ResourceGraph\/resources$/,
      body: /order by id asc/,
      status: 403,
    });
    try {
      const view = await scan(host);
      expect(view.status).toBe('partial');
      expect(view.inventory).toMatchObject({ source: 'resourcegraph' });
      expect(view.tasks).toMatchObject({ total: 10, completed: 9, failed: 1 });
      expect(await all(host, 'repositories')).toHaveLength(reposBefore.length);
    } finally {
      host.emulator.clearFaults();
    }
  });

  it('the PAT appears in no log line', () => {
    expect(capturedLogs.length).toBeGreaterThan(0);
    const text = capturedLogs.join('\n');
    expect(text).not.toContain(PAT);
    expect(text).not.toContain(Buffer.from(`:${PAT}`).toString('base64'));
  });
});
