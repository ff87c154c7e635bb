import { describe, expect, it } from 'vitest';
import type { ArmClients } from '../../src/discovery/armClients';
import {
  KUBERNETES_TASK_TYPE,
  KubernetesScanExtension,
  type KubernetesScanExtensionOptions,
} from '../../src/kubernetes/KubernetesScanExtension';
import { createLogger } from '../../src/telemetry/logger';

const CLUSTERS = 'Microsoft.ContainerService/managedClusters';
const sub = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;
const clusterId = (s: string, name: string, group = 'rg-aks') =>
  `/subscriptions/${s}/resourceGroups/${group}/providers/${CLUSTERS}/${name}`;

/**
 * The clusters of an estate, answered by a Resource Manager list per subscription and by Resource
 * Graph rows queries (`pageSize` rows a page, `$skipToken` paging), each call counted.
 */
function fakeArm(estate: Record<string, string[]>, o: { graphFails?: boolean; pageSize?: number } = {}) {
  const calls = { armLists: [] as string[], graphQueries: [] as Array<{ subs: string[]; skip?: string }> };
  const failingSubs = new Set<string>();
  const unregistered = new Set<string>();
  const arm = {
    client: (_ctor: unknown, subscriptionId: string) => ({
      managedClusters: {
        list: async function* () {
          calls.armLists.push(subscriptionId);
          if (failingSubs.has(subscriptionId))
            throw Object.assign(new Error('forbidden'), { statusCode: 403, code: 'AuthorizationFailed' });
          if (unregistered.has(subscriptionId))
            throw Object.assign(new Error('not registered'), {
              statusCode: 409,
              code: 'MissingSubscriptionRegistration',
            });
          for (const id of estate[subscriptionId] ?? []) yield { id };
        },
        listByResourceGroup: async function* (group: string) {
          calls.armLists.push(`${subscriptionId}/${group}`);
          for (const id of estate[subscriptionId] ?? [])
            if (id.split('/')[4]?.toLowerCase() === group.toLowerCase()) yield { id };
        },
      },
    }),
    resourceGraphRows: async (request: {
      types: string[];
      subscriptionIds: string[];
      resourceGroup?: string;
      skipToken?: string;
    }) => {
      calls.graphQueries.push({
        subs: request.subscriptionIds,
        ...(request.skipToken ? { skip: request.skipToken } : {}),
      });
      if (o.graphFails)
        throw Object.assign(new Error('throttled'), { statusCode: 403, code: 'AuthorizationFailed' });
      expect(request.types.map((t) => t.toLowerCase())).toEqual([CLUSTERS.toLowerCase()]);
      const rows = request.subscriptionIds
        .flatMap((s) => estate[s] ?? [])
        .filter(
          (id) =>
            !request.resourceGroup || id.split('/')[4]?.toLowerCase() === request.resourceGroup.toLowerCase(),
        )
        .sort()
        .map((id) => ({ id, type: CLUSTERS.toLowerCase(), subscriptionId: id.split('/')[2] }));
      const size = o.pageSize ?? 1000;
      const from = Number(request.skipToken ?? 0);
      const next = from + size < rows.length ? String(from + size) : undefined;
      return {
        rows: rows.slice(from, from + size),
        ...(next ? { skipToken: next } : {}),
        answeredAt: new Date().toISOString(),
      };
    },
  };
  return { arm: arm as unknown as ArmClients, calls, failingSubs, unregistered };
}

function extension(arm: ArmClients): KubernetesScanExtension {
  return new KubernetesScanExtension({
    arm,
    logger: createLogger('test'),
  } as unknown as KubernetesScanExtensionOptions);
}

const projects = (planned: Awaited<ReturnType<KubernetesScanExtension['planTasks']>>) =>
  planned.map((p) => `${p.task.subscriptionId} ${p.task.project}`).sort();

describe('Kubernetes planning: a task per AKS cluster', () => {
  const subs = [1, 2, 3].map(sub);
  const estate = {
    [sub(1)]: [clusterId(sub(1), 'aks-a'), clusterId(sub(1), 'aks-b', 'rg-other')],
    [sub(3)]: [clusterId(sub(3), 'aks-c')],
  };
  const expected = [
    `${sub(1)} ${clusterId(sub(1), 'aks-a')}`,
    `${sub(1)} ${clusterId(sub(1), 'aks-b', 'rg-other')}`,
    `${sub(3)} ${clusterId(sub(3), 'aks-c')}`,
  ].sort();

  it('Resource Manager path: one cluster list per subscription', async () => {
    const f = fakeArm(estate);
    const planned = await extension(f.arm).planTasks({
      scanId: 's',
      subscriptionIds: subs,
      inventorySource: 'arm',
    });
    expect(projects(planned)).toEqual(expected);
    expect(planned.every((p) => p.task.resourceType === KUBERNETES_TASK_TYPE)).toBe(true);
    expect(f.calls.armLists.sort()).toEqual(subs);
    expect(f.calls.graphQueries).toEqual([]);
  });

  it('Resource Graph path: the same tasks from one Graph query, paged by $skipToken, and no Resource Manager list', async () => {
    const f = fakeArm(estate, { pageSize: 2 });
    const planned = await extension(f.arm).planTasks({
      scanId: 's',
      subscriptionIds: subs,
      inventorySource: 'resourcegraph',
    });
    expect(projects(planned)).toEqual(expected);
    expect(f.calls.armLists).toEqual([]);
    // three clusters at two a page: the query and its one continuation
    expect(f.calls.graphQueries).toEqual([{ subs }, { subs, skip: '2' }]);
  });

  it('Resource Graph path: a resource group filter reaches the query', async () => {
    const f = fakeArm(estate);
    const planned = await extension(f.arm).planTasks({
      scanId: 's',
      subscriptionIds: subs,
      resourceGroup: 'RG-OTHER',
      inventorySource: 'resourcegraph',
    });
    expect(projects(planned)).toEqual([`${sub(1)} ${clusterId(sub(1), 'aks-b', 'rg-other')}`]);
    expect(f.calls.armLists).toEqual([]);
  });

  it('Resource Graph path: 250 subscriptions take 3 queries of at most 100, not 250 lists', async () => {
    const many = Array.from({ length: 250 }, (_, i) => sub(i + 1));
    const big = Object.fromEntries(many.map((s) => [s, [clusterId(s, `aks-${s.slice(-3)}`)]]));
    const f = fakeArm(big);
    const planned = await extension(f.arm).planTasks({
      scanId: 's',
      subscriptionIds: many,
      inventorySource: 'resourcegraph',
    });
    expect(planned).toHaveLength(250);
    expect(f.calls.graphQueries.map((q) => q.subs.length)).toEqual([100, 100, 50]);
    expect(f.calls.armLists).toEqual([]);
  });

  it('Resource Graph failing: falls back to the Resource Manager lists, and a failed list plans a task that fails with it', async () => {
    const f = fakeArm(estate, { graphFails: true });
    f.failingSubs.add(sub(3));
    f.unregistered.add(sub(2));
    const planned = await extension(f.arm).planTasks({
      scanId: 's',
      subscriptionIds: subs,
      inventorySource: 'resourcegraph',
    });
    expect(f.calls.graphQueries).toHaveLength(1);
    expect(f.calls.armLists.sort()).toEqual(subs);
    expect(projects(planned)).toEqual(
      [
        `${sub(1)} ${clusterId(sub(1), 'aks-a')}`,
        `${sub(1)} ${clusterId(sub(1), 'aks-b', 'rg-other')}`,
        `${sub(3)} *`,
      ].sort(),
    );
  });

  it('a scan of other types plans no Kubernetes task and asks nobody', async () => {
    const f = fakeArm(estate);
    for (const inventorySource of ['arm', 'resourcegraph'] as const)
      expect(
        await extension(f.arm).planTasks({
          scanId: 's',
          subscriptionIds: subs,
          resourceTypes: ['Microsoft.Compute/virtualMachines'],
          inventorySource,
        }),
      ).toEqual([]);
    expect(f.calls).toEqual({ armLists: [], graphQueries: [] });
  });
});
