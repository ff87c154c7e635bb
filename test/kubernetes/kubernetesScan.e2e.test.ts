import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countEntityWrites } from '../../bench/countRequests';
import type { ClusterEstate, K8sObject } from '../../src/emulator/kubernetes/kubernetesEstate';
import {
  capturedLogs,
  listAllResources,
  startTestHost,
  type ScanView,
  type TestHost,
} from '../support/localHost';
import { tableTexts } from '../support/tableTexts';

const T = 'Microsoft.ContainerService/managedClusters';
const KUBERNETES = `${T}/kubernetes`;
/** The look-alike's lists kept as resources (pods are summed, ReplicaSets and Secrets are not kept). */
const KEPT: Record<string, string> = {
  'v1/namespaces': 'namespaces',
  'v1/nodes': 'nodes',
  'apps/v1/deployments': 'deployments',
  'apps/v1/statefulsets': 'statefulsets',
  'apps/v1/daemonsets': 'daemonsets',
  'v1/services': 'services',
  'networking.k8s.io/v1/ingresses': 'ingresses',
  'v1/persistentvolumeclaims': 'persistentvolumeclaims',
  'v1/persistentvolumes': 'persistentvolumes',
  'v1/serviceaccounts': 'serviceaccounts',
  'v1/configmaps': 'configmaps',
  'secrets-store.csi.x-k8s.io/v1/secretproviderclasses': 'secretproviderclasses',
};

/**
 * Owner chains the demo estate does not have, added to a cluster before the first scan: a
 * Deployment whose ReplicaSet is not called `<deployment>-<hash>`, and a ReplicaSet no Deployment
 * owns though named like one of web's (the naming rule would have summed its pod into web).
 */
function addOwnerChainCases(cluster: ClusterEstate): void {
  const owner = (kind: string, name: string) => [{ apiVersion: 'apps/v1', kind, name, controller: true }];
  type Listed = Record<string, unknown> & {
    metadata: Record<string, unknown> & { name: string; namespace: string };
  };
  const add = (list: string, o: Listed) =>
    cluster.lists.set(
      list,
      [...(cluster.lists.get(list) ?? []), o as K8sObject].sort((a, b) =>
        `${a.metadata.namespace}/${a.metadata.name}` < `${b.metadata.namespace}/${b.metadata.name}` ? -1 : 1,
      ),
    );
  const labels = { app: 'checkout' };
  add('apps/v1/deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'checkout', namespace: 'shop', labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'checkout:3' }] } },
    },
    status: { replicas: 2, readyReplicas: 2 },
  });
  add('apps/v1/replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'checkout-blue',
      namespace: 'shop',
      labels: { ...labels, 'pod-template-hash': '9f8e7d6c5' },
      ownerReferences: owner('Deployment', 'checkout'),
    },
    spec: { replicas: 2 },
  });
  add('apps/v1/replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-77f9c', namespace: 'shop', labels: { app: 'web', 'pod-template-hash': '77f9c' } },
    spec: { replicas: 1 },
  });
  const pod = (name: string, replicaSet: string, hash: string, image: string, restarts: number) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'shop',
      labels: { 'pod-template-hash': hash },
      ownerReferences: owner('ReplicaSet', replicaSet),
    },
    spec: { containers: [{ name: 'main', image }] },
    status: {
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{ name: 'main', image, restartCount: restarts }],
    },
  });
  add('v1/pods', pod('checkout-blue-q2w3e', 'checkout-blue', '9f8e7d6c5', 'checkout:3', 0));
  add('v1/pods', pod('checkout-blue-r4t5y', 'checkout-blue', '9f8e7d6c5', 'checkout:3', 4));
  add('v1/pods', pod('web-77f9c-zzzzz', 'web-77f9c', '77f9c', 'web:old', 50));
}

interface Edge {
  sourceId: string;
  targetId: string;
  method: string;
  evidence: string;
  depth: number;
}

describe('Kubernetes inside the demo AKS clusters, through the local runtime', () => {
  let host: TestHost;
  let clusters: ClusterEstate[];
  let scan: ScanView;
  const sent: string[] = [];

  /** A whole scan, or (re-scans) only the clusters' insides. */
  const scanNow = async (resourceTypes?: string[]) => {
    const { body } = await host.api<{ scanId: string }>(
      'POST',
      '/api/scans',
      resourceTypes ? { resourceTypes } : {},
    );
    return host.waitForScan(body.scanId, 120_000);
  };
  const edges = async (resourceId: string, direction: 'out' | 'in', depth = 1) =>
    (
      await host.api<{ items: Edge[] }>(
        'GET',
        `/api/dependencies?resourceId=${encodeURIComponent(resourceId)}&direction=${direction}&depth=${depth}`,
      )
    ).body.items;
  const k8sItems = async () =>
    (await listAllResources(host, '', 1000)).filter((i) => String(i.type).startsWith(`${T}/`));

  beforeAll(async () => {
    host = await startTestHost({ emulator: { subscriptionCount: 1, vmsPerSubscription: 30 } });
    clusters = host.emulator.kubernetes?.clusters ?? [];
    addOwnerChainCases(clusters[0] as ClusterEstate);
    const send = host.services.queues.send.bind(host.services.queues);
    host.services.queues.send = async (queue, message, options) => {
      const json = JSON.stringify(message);
      sent.push(json, Buffer.from(json).toString('base64'));
      return send(queue, message, options);
    };
    scan = await scanNow();
  }, 180_000);
  afterAll(async () => host?.stop());

  it('keeps every listed object once, with the contract ids, types, group and labels as tags', async () => {
    expect(clusters.length).toBeGreaterThanOrEqual(2);
    expect(clusters.some((c) => c.entra) && clusters.some((c) => !c.entra)).toBe(true);
    expect(scan.errors).toEqual([]);
    expect(scan.status).toBe('completed');
    const items = await k8sItems();
    const expected = clusters.flatMap((c) =>
      Object.entries(KEPT).flatMap(([list, kind]) =>
        (c.lists.get(list) ?? []).map((o) =>
          o.metadata.namespace && !['nodes', 'persistentvolumes'].includes(kind)
            ? `${c.clusterId}/namespaces/${o.metadata.namespace}/${kind}/${o.metadata.name}`
            : `${c.clusterId}/${kind}/${o.metadata.name}`,
        ),
      ),
    );
    expect(items.map((i) => i.id).sort()).toEqual(expected.sort());
    const web = items.find((i) =>
      String(i.id).endsWith('/namespaces/shop/deployments/web'),
    ) as (typeof items)[number];
    const cluster = clusters.find((c) => String(web.id).startsWith(c.clusterId)) as ClusterEstate;
    expect(web.type).toBe(`${T}/deployments`);
    expect(web.resourceGroup).toBe(cluster.clusterId.split('/')[4]);
    expect(web.tags).toEqual({ app: 'web' });
    expect(web.properties).toMatchObject({
      namespace: 'shop',
      replicas: 2,
      readyReplicas: 2,
      serviceAccountName: 'workload',
      labels: { app: 'web' },
      podsTotal: 2,
      podsReady: 2,
      restarts: 1,
      secretProviderClasses: ['kv-secrets'],
    });
    expect((web.properties.images as string[])[0]).toMatch(/azurecr\.io\/shop\/web:/);
    // pods are summed into workloads: no row per pod, nor per ReplicaSet or Secret
    expect(items.some((i) => /\/(pods|replicasets|secrets)\//.test(String(i.id)))).toBe(false);
    const node = items.find((i) => i.type === `${T}/nodes`) as { properties: Record<string, unknown> };
    expect(node.properties).toMatchObject({ nodePool: expect.any(String), kubeletVersion: 'v1.30.4' });
    expect(String(node.properties.providerID)).toMatch(
      /^azure:\/\/\/subscriptions\/.*virtualMachineScaleSets/,
    );
    const pv = items.find(
      (i) => i.type === `${T}/persistentvolumes` && i.properties.csiDriver === 'disk.csi.azure.com',
    );
    expect(pv?.properties).toMatchObject({ storageClass: 'managed-csi', capacity: '64Gi' });
    // owner chains by owner references: a ReplicaSet not named <deployment>-<hash> leads to its
    // Deployment; the pod of a ReplicaSet no Deployment owns is nobody's (not web's, though named so)
    const first = clusters[0] as ClusterEstate;
    const byId = (id: string) => items.find((i) => i.id === `${first.clusterId}${id}`);
    expect(byId('/namespaces/shop/deployments/checkout')?.properties).toMatchObject({
      podsTotal: 2,
      podsReady: 2,
      restarts: 4,
      runningImages: ['checkout:3'],
    });
    expect(byId('/namespaces/shop/deployments/web')?.properties).toMatchObject({ podsTotal: 2, restarts: 1 });
    expect(host.emulator.kubernetes?.stats().byList['apps/v1/replicasets']).toBeGreaterThanOrEqual(
      clusters.length,
    );
    const agent = items.find((i) => String(i.id).endsWith('/daemonsets/node-agent'));
    expect(agent?.properties).toMatchObject({ podsTotal: 8, podsReady: 8 });
  });

  it('links workloads to the cluster and the Azure resources they use; blast radius runs into them', async () => {
    const items = await k8sItems();
    const byEnd = (suffix: string) => items.filter((i) => String(i.id).endsWith(suffix));
    for (const web of byEnd('/namespaces/shop/deployments/web')) {
      const out = await edges(String(web.id), 'out');
      const cluster = clusters.find((c) => String(web.id).startsWith(`${c.clusterId}/`)) as ClusterEstate;
      expect(out.map((e) => e.targetId)).toEqual(
        expect.arrayContaining([
          cluster.clusterId,
          `${cluster.clusterId}/namespaces/shop/serviceaccounts/workload`,
          `${cluster.clusterId}/namespaces/shop/secretproviderclasses/kv-secrets`,
          `${cluster.clusterId}/namespaces/shop/configmaps/app-config`,
        ]),
      );
      // SPC → Key Vault, SA → user-assigned identity (by client id)
      const spc = await edges(`${cluster.clusterId}/namespaces/shop/secretproviderclasses/kv-secrets`, 'out');
      expect(spc[0]?.targetId).toMatch(/Microsoft\.KeyVault\/vaults\//);
      expect(spc[0]?.evidence).toBe('spec.parameters.keyvaultName');
      const sa = await edges(`${cluster.clusterId}/namespaces/shop/serviceaccounts/workload`, 'out');
      expect(sa[0]?.targetId).toMatch(/Microsoft\.ManagedIdentity\/userAssignedIdentities\/id-/);
      // the LoadBalancer service → its public IP and the cluster's load balancer; → the workload by selector
      const svc = await edges(`${cluster.clusterId}/namespaces/shop/services/web`, 'out');
      expect(svc.find((e) => e.method === 'kubernetes-selector')?.targetId).toBe(web.id);
      expect(svc.some((e) => /publicIPAddresses\/pip-aks-/.test(e.targetId))).toBe(true);

      // a selector matching nothing links nothing
      expect(await edges(`${cluster.clusterId}/namespaces/shop/services/legacy`, 'out')).toEqual([]);
      // blast radius: the Key Vault reaches the workload and the ingress in front of it
      const fromVault = await edges(spc[0]?.targetId as string, 'in', 5);
      expect(fromVault.map((e) => e.sourceId)).toEqual(
        expect.arrayContaining([String(web.id), `${cluster.clusterId}/namespaces/shop/ingresses/public`]),
      );
    }
    // a disk: PV → disk, PVC → PV, StatefulSet → PVC, so the disk's blast radius reaches the StatefulSet
    const disk = (await listAllResources(host, 'type=Microsoft.Compute/disks')).find((d) =>
      /disk-aks-.*-data$/.test(String(d.id)),
    );
    const fromDisk = await edges(String(disk?.id), 'in', 4);
    expect(fromDisk.some((e) => /\/statefulsets\/db$/.test(e.sourceId))).toBe(true);
    // the file share's PV → the storage account; nodes → their scale set; AGIC ingress → the gateway
    const filePv = items.find((i) => i.properties.csiDriver === 'file.csi.azure.com');
    expect((await edges(String(filePv?.id), 'out'))[0]?.targetId).toMatch(
      /Microsoft\.Storage\/storageAccounts\//,
    );
    // the demo has no node resource group (MC_…): no edge points at a resource that does not exist
    const { body: graph } = await host.api<{
      nodes: Array<{ id: string; external: boolean }>;
      edges: Edge[];
    }>('GET', '/api/graph');
    const known = new Map(graph.nodes.map((n) => [n.id.toLowerCase(), n]));
    const dangling = graph.edges.filter((e) => {
      const n = known.get(e.targetId.toLowerCase());
      return !n || (n.external && !e.targetId.startsWith('external:'));
    });
    expect(dangling.slice(0, 5)).toEqual([]);
    const agic = items.filter(
      (i) => i.type === `${T}/ingresses` && i.properties.ingressClassName === 'azure-application-gateway',
    );
    expect(agic.length).toBeGreaterThan(0);
    for (const ingress of agic)
      expect((await edges(String(ingress.id), 'out')).map((e) => e.targetId)).toEqual(
        expect.arrayContaining([expect.stringMatching(/applicationGateways\/agw-/)]),
      );
  });

  it('never keeps a Secret, a ConfigMap value or an env value: not in a table, queue message, API answer or log line', async () => {
    const planted = clusters.flatMap((c) => c.planted);
    expect(planted.length).toBe(clusters.length * 3);
    const items = await k8sItems();
    const haystacks: Array<[string, string[]]> = [
      ['tables', await tableTexts(host)],
      ['queue messages', sent],
      ['API answers', items.map((i) => JSON.stringify(i))],
      ['log lines', capturedLogs],
    ];
    expect(sent.some((s) => s.includes('managedClusters/kubernetes'))).toBe(true);
    for (const [where, texts] of haystacks) {
      const all = texts.join('\n');
      for (const secret of planted)
        for (const form of [
          secret,
          Buffer.from(secret).toString('base64'),
          Buffer.from(secret).toString('base64url'),
        ])
          expect(all.includes(form), `${where} holds ${form}`).toBe(false);
    }
    // Secrets are never even asked for
    expect(host.emulator.kubernetes?.stats().byList['v1/secrets']).toBeUndefined();
    // nor a local account's kubeconfig token
    for (const c of clusters.filter((x) => !x.entra))
      for (const [where, texts] of haystacks)
        expect(texts.join('\n').includes(c.token), `${where} holds a token`).toBe(false);
  });

  it('a re-scan with only pod churn modifies nothing; a deleted deployment is removed with its history', async () => {
    const first = clusters[0] as ClusterEstate;
    const pods = first.lists.get('v1/pods') ?? [];
    for (const p of pods)
      for (const c of (p.status as { containerStatuses: Array<{ restartCount: number }> }).containerStatuses)
        c.restartCount += 3;
    // write only what changed: the pod sums of that cluster's workloads, nothing else
    const writes = countEntityWrites(host.services.tables.resources);
    const again = await scanNow([KUBERNETES]).finally(() => writes.stop());
    expect(again.status).toBe('completed');
    const workloads = ['apps/v1/deployments', 'apps/v1/statefulsets', 'apps/v1/daemonsets'].reduce(
      (n, list) => n + (first.lists.get(list)?.length ?? 0),
      0,
    );
    expect(writes.count()).toBe(workloads);
    expect(again.counts.modified).toBe(0);
    expect(again.counts.removed).toBe(0);
    const web = (await k8sItems()).find((i) => i.id === `${first.clusterId}/namespaces/shop/deployments/web`);
    expect(web?.properties.restarts).toBe(1 + 2 * 3);
    expect(
      (await k8sItems()).find((i) => i.id === `${first.clusterId}/namespaces/shop/deployments/checkout`)
        ?.properties.restarts,
    ).toBe(4 + 2 * 3);

    const deployments = first.lists.get('apps/v1/deployments') ?? [];
    const gone = deployments.find((d) => d.metadata.namespace === 'payments' && d.metadata.name === 'api');
    first.lists.set(
      'apps/v1/deployments',
      deployments.filter((d) => d !== gone),
    );
    const third = await scanNow([KUBERNETES]);
    expect(third.status).toBe('completed');
    const goneId = `${first.clusterId}/namespaces/payments/deployments/api`;
    expect((await k8sItems()).some((i) => i.id === goneId)).toBe(false);
    const { body } = await host.api<{ items: Array<{ kind: string; resourceId: string }> }>(
      'GET',
      `/api/changes?scanId=${third.scanId}`,
    );
    expect(body.items.filter((c) => c.kind === 'removed')).toEqual([
      expect.objectContaining({ kind: 'removed', resourceId: goneId }),
    ]);
    if (gone)
      first.lists.set('apps/v1/deployments', [...(first.lists.get('apps/v1/deployments') ?? []), gone]);
  });

  it('a cluster answering 401, or out of reach, fails its own task with the reason; the rest completes and nothing is removed', async () => {
    const [refused, unreachable] = clusters as [ClusterEstate, ClusterEstate];
    const before = (await k8sItems()).length;
    host.emulator.kubernetes?.fault(refused.name, 'unauthorized');
    host.emulator.kubernetes?.fault(unreachable.name, 'unreachable');
    try {
      const s = await scanNow([KUBERNETES]);
      expect(s.status).toBe('partial');
      expect(s.tasks.failed).toBe(2);
      const messages = s.errors.map((e) => e.message).join('\n');
      expect(messages).toContain(`cluster ${refused.name} answered 401`);
      expect(messages).toMatch(
        new RegExp(
          `cluster ${unreachable.name} could not be reached \\((ECONNREFUSED|ECONNRESET|socket hang up)\\)`,
        ),
      );
      expect(s.counts.removed).toBe(0);
      expect((await k8sItems()).length).toBe(before);
    } finally {
      host.emulator.kubernetes?.fault(refused.name, undefined);
      host.emulator.kubernetes?.fault(unreachable.name, undefined);
    }
  });
  it('a cluster deleted from Azure: its objects are removed with `removed` items; not while the cluster list fails, nor when the cluster task failed', async () => {
    const scope = [T, KUBERNETES];
    const [gone, raced] = clusters as [ClusterEstate, ClusterEstate];
    const idsOf = async (c: ClusterEstate) =>
      (await k8sItems()).map((i) => String(i.id)).filter((id) => id.startsWith(`${c.clusterId}/`));
    const removedIn = async (scanId: string) =>
      (
        await host.api<{ items: Array<{ kind: string; resourceId: string }> }>(
          'GET',
          `/api/changes?scanId=${scanId}&limit=1000`,
        )
      ).body.items
        .filter((c) => c.kind === 'removed')
        .map((c) => c.resourceId.toLowerCase())
        .sort();

    // deleted after the scan planned its tasks: the clean cluster list drops the cluster, but its
    // own task failed (its API server is gone), so its objects stay
    const racedIds = await idsOf(raced);
    expect(racedIds.length).toBeGreaterThan(0);
    const send = host.services.queues.send;
    let armed = true;
    host.services.queues.send = async (queue, message, options) => {
      if (armed) {
        armed = false;
        expect(host.emulator.removeResource(raced.clusterId)).toBe(true);
        host.emulator.kubernetes?.fault(raced.name, 'unreachable');
      }
      return send(queue, message, options);
    };
    try {
      const s = await scanNow(scope);
      expect(s.status).toBe('partial');
      expect(s.tasks.failed).toBe(1);
      expect(s.errors.map((e) => e.message).join('\n')).toContain(raced.name);
      expect(await idsOf(raced)).toEqual(racedIds);
      expect(await removedIn(s.scanId)).toEqual([raced.clusterId.toLowerCase()]);
    } finally {
      host.services.queues.send = send;
      host.emulator.kubernetes?.fault(raced.name, undefined);
    }

    // deleted, and the cluster list fails: nothing of it is removed
    const goneIds = await idsOf(gone);
    expect(goneIds.length).toBeGreaterThan(0);
    expect(host.emulator.removeResource(gone.clusterId)).toBe(true);
    host.emulator.addFault({
      path: /\/providers\/Microsoft\.ContainerService\/managedClusters$/i,
      status: 403,
    });
    // the inventory lists clusters from Resource Graph pages (auto): its rows query fails too
    host.emulator.addFault({
      path: /Microsoft\.ResourceGraph\/resources$/,
      body: /order by id asc/,
      status: 403,
    });
    try {
      const s = await scanNow(scope);
      expect(s.status).not.toBe('completed');
      expect(await idsOf(gone)).toEqual(goneIds);
      expect(await removedIn(s.scanId)).toEqual([]);
    } finally {
      host.emulator.clearFaults();
    }

    // listed whole and cleanly: the cluster and every object of it are removed, each with its item
    const s = await scanNow(scope);
    expect(s.status).toBe('completed');
    expect(await idsOf(gone)).toEqual([]);
    expect(await removedIn(s.scanId)).toEqual(
      [gone.clusterId, ...goneIds].map((id) => id.toLowerCase()).sort(),
    );
    // the other clusters keep theirs
    for (const c of clusters.slice(2)) expect((await idsOf(c)).length).toBeGreaterThan(0);
  });
});
