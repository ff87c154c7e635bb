import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArmClients, staticTokenCredential, type ArmClients } from '../../src/discovery/armClients';
import { sdk } from '../../src/discovery/sdk';
import { parseResourceId } from '../../src/discovery/Resource';
import { startArmEmulator, type ArmEmulator } from '../../src/emulator';
import type { ClusterEstate } from '../../src/emulator/kubernetes/kubernetesEstate';
import { AKS_SERVER_SCOPE, connectCluster } from '../../src/kubernetes/connectCluster';
import { createKubernetesResilience } from '../../src/kubernetes/createKubernetesResilience';
import { KubernetesClient } from '../../src/kubernetes/KubernetesClient';
import { createLogger } from '../../src/telemetry/logger';

describe('the Kubernetes look-alike and the client', () => {
  let emulator: ArmEmulator;
  let arm: ArmClients;
  let clusters: ClusterEstate[];
  const resilience = createKubernetesResilience({ logger: createLogger('test'), retry: { attempts: 1 } });

  beforeAll(async () => {
    emulator = await startArmEmulator({ subscriptionCount: 1, vmsPerSubscription: 30, latencyMs: 0 });
    arm = createArmClients({
      endpoint: emulator.endpoint,
      credential: staticTokenCredential('arm-test-token'),
      caPem: emulator.caPem,
    });
    clusters = emulator.kubernetes?.clusters ?? [];
    expect(clusters.some((c) => c.entra) && clusters.some((c) => !c.entra)).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await resilience.close();
    await emulator?.close();
  });

  const kubeconfigText = async (cluster: ClusterEstate): Promise<string> => {
    const p = parseResourceId(cluster.clusterId);
    const client = arm.client(sdk.containerService().ContainerServiceClient, p?.subscriptionId as string);
    const answer = await client.managedClusters.listClusterUserCredentials(
      p?.resourceGroup as string,
      p?.name as string,
    );
    return Buffer.from(answer.kubeconfigs?.[0]?.value as Uint8Array).toString('utf8');
  };

  it('serves real list shapes to @kubernetes/client-node: kind …List, limit + continue, owner references', async () => {
    const local = clusters.find((c) => !c.entra) as ClusterEstate;
    const kc = new KubeConfig();
    kc.loadFromString(await kubeconfigText(local));
    const core = kc.makeApiClient(CoreV1Api);
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listPodForAllNamespaces({ limit: 4, ...(token ? { _continue: token } : {}) });
      expect(page.kind).toBe('PodList');
      pages++;
      names.push(...page.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`));
      expect(page.items.every((p) => p.metadata?.ownerReferences?.[0]?.controller)).toBe(true);
      token = page.metadata?._continue;
    } while (token);
    const pods = local.lists.get('v1/pods') ?? [];
    expect(names).toEqual(pods.map((p) => `${p.metadata.namespace}/${p.metadata.name}`));
    expect(pages).toBe(Math.ceil(pods.length / 4));
    const deployments = await kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces();
    expect(deployments.kind).toBe('DeploymentList');
    expect(deployments.items[0]?.spec?.template.spec?.containers[0]?.image).toMatch(/azurecr\.io/);
  });

  it('a local-account cluster is called with its kubeconfig token; an Entra cluster with a token for the AKS server application, kubelogin never run', async () => {
    const scopes: string[] = [];
    const spy: TokenCredential = {
      getToken: async (scopesAsked: string | string[], _o?: GetTokenOptions): Promise<AccessToken> => {
        scopes.push(...[scopesAsked].flat());
        return { token: 'entra-token-for-aks-0123456789', expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const local = clusters.find((c) => !c.entra) as ClusterEstate;
    const localConnection = await connectCluster(arm, spy, local.clusterId);
    expect(localConnection).toMatchObject({ entra: false, endpoint: { token: local.token } });
    expect(scopes).toEqual([]);

    const entra = clusters.find((c) => c.entra) as ClusterEstate;
    expect(await kubeconfigText(entra)).toContain('command: kubelogin');
    const entraConnection = await connectCluster(arm, spy, entra.clusterId);
    expect(scopes).toEqual([AKS_SERVER_SCOPE]);
    expect(entraConnection).toMatchObject({
      entra: true,
      endpoint: { token: 'entra-token-for-aks-0123456789' },
    });
    expect(entraConnection.endpoint.caPem).toBe(emulator.caPem);
    const client = new KubernetesClient(entraConnection.endpoint, {
      stack: resilience.stackFor(entra.clusterId),
    });
    expect((await client.listPage('namespaces', 100)).items.length).toBe(
      entra.lists.get('v1/namespaces')?.length,
    );
    // the same call with a local account's token is refused by an Entra cluster
    const wrong = new KubernetesClient(
      { ...entraConnection.endpoint, token: local.token },
      { stack: resilience.stackFor('x') },
    );
    await expect(wrong.listPage('namespaces', 100)).rejects.toMatchObject({
      code: 'KubernetesUnauthorized',
      transient: false,
    });
  });

  it('pages a kind with limit + continue, one list call a page; a cluster without the CSI driver has no SecretProviderClasses', async () => {
    const local = clusters.find((c) => !c.entra) as ClusterEstate;
    const connection = await connectCluster(arm, staticTokenCredential('unused'), local.clusterId);
    const client = new KubernetesClient(connection.endpoint, { stack: resilience.stackFor(local.clusterId) });
    const before = emulator.kubernetes?.stats().byList['v1/configmaps'] ?? 0;
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.listPage('configmaps', 2, token);
      names.push(...page.items.map((o) => String((o.metadata as { name: string }).name)));
      token = page.continueToken;
    } while (token);
    const total = local.lists.get('v1/configmaps')?.length ?? 0;
    expect(names).toHaveLength(total);
    expect((emulator.kubernetes?.stats().byList['v1/configmaps'] ?? 0) - before).toBe(Math.ceil(total / 2));
    const spcs = local.lists.get('secrets-store.csi.x-k8s.io/v1/secretproviderclasses');
    local.lists.delete('secrets-store.csi.x-k8s.io/v1/secretproviderclasses');
    try {
      expect(await client.listPage('secretproviderclasses', 10)).toEqual({ items: [], absent: true });
    } finally {
      if (spcs) local.lists.set('secrets-store.csi.x-k8s.io/v1/secretproviderclasses', spcs);
    }
  });

  it.each([
    ['forbidden', 'KubernetesForbidden', /Azure Kubernetes Service RBAC Reader/],
    ['timeout', 'KubernetesTimeout', /did not answer listing nodes within 300 ms/],
  ] as const)('a cluster that answers %s fails with %s, naming the fix', async (fault, code, message) => {
    const cluster = clusters.find((c) => !c.entra) as ClusterEstate;
    const connection = await connectCluster(arm, staticTokenCredential('unused'), cluster.clusterId);
    const client = new KubernetesClient(connection.endpoint, {
      stack: resilience.stackFor(`${fault}-probe`),
      timeoutMs: 300,
    });
    emulator.kubernetes?.fault(cluster.name, fault);
    try {
      const error = await client.listPage('nodes', 10).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toMatch(message);
    } finally {
      emulator.kubernetes?.fault(cluster.name, undefined);
    }
  });
});
