import { describe, expect, it } from 'vitest';
import { detectDependencies } from '../../src/dependencies/detectDependencies';
import type { IndexedResource } from '../../src/dependencies/readProperties';
import { ResourceIndex } from '../../src/dependencies/ResourceIndex';
import { parseResourceId, type DiscoveredItem } from '../../src/discovery/Resource';
import type { ClusterContext } from '../../src/kubernetes/ClusterContext';
import type { KubernetesKind } from '../../src/kubernetes/kubernetesKinds';
import { mapKubernetesObject } from '../../src/kubernetes/mapKubernetesObject';

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000001';
const RG = `${SUB}/resourceGroups/rg-app`;
const NODE_RG = `${SUB}/resourceGroups/MC_rg-app_aks_eastus`;
const CLUSTER = `${RG}/providers/Microsoft.ContainerService/managedClusters/aks`;
const AGW = `${RG}/providers/Microsoft.Network/applicationGateways/agw`;
const ctx: ClusterContext = {
  clusterId: CLUSTER,
  location: 'eastus',
  nodeResourceGroup: 'MC_rg-app_aks_eastus',
  applicationGatewayId: AGW,
};

function indexed(item: DiscoveredItem): IndexedResource {
  const p = parseResourceId(item.id);
  return { ...item, subscriptionId: p?.subscriptionId ?? '', resourceGroup: p?.resourceGroup ?? '' };
}
const azure = (id: string, properties: Record<string, unknown> = {}): IndexedResource =>
  indexed({
    id,
    name: id.split('/').pop() as string,
    type: parseResourceId(id)?.type as string,
    location: 'eastus',
    tags: {},
    properties,
  });
const k8s = (kind: KubernetesKind, o: Record<string, unknown>) =>
  indexed(mapKubernetesObject(kind, o, ctx).item);
const workload = (
  kind: KubernetesKind,
  name: string,
  ns: string,
  labels: Record<string, string>,
  spec: Record<string, unknown> = {},
) =>
  k8s(kind, {
    metadata: { name, namespace: ns, labels },
    spec: {
      replicas: 1,
      template: { metadata: { labels }, spec: { containers: [{ image: 'x' }], ...spec } },
    },
    status: { readyReplicas: 1 },
  });

const DISK = `${NODE_RG}/providers/Microsoft.Compute/disks/pvc-disk`;
const PIP = `${NODE_RG}/providers/Microsoft.Network/publicIPAddresses/kubernetes-a1`;
const NAMED_PIP = `${RG}/providers/Microsoft.Network/publicIPAddresses/pip-named`;
const VAULT = `${RG}/providers/Microsoft.KeyVault/vaults/kv-app`;
const STORAGE = `${RG}/providers/Microsoft.Storage/storageAccounts/stapp`;
const IDENTITY = `${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app`;
const VMSS = `${NODE_RG}/providers/Microsoft.Compute/virtualMachineScaleSets/aks-user-vmss`;

function estate(): IndexedResource[] {
  const sa = k8s('serviceaccounts', {
    metadata: {
      name: 'workload',
      namespace: 'shop',
      annotations: { 'azure.workload.identity/client-id': 'c1' },
    },
  });
  sa.properties.userAssignedIdentityId = IDENTITY;
  return [
    azure(CLUSTER),
    azure(AGW),
    azure(DISK),
    azure(PIP, { ipAddress: '20.1.2.3' }),
    azure(NAMED_PIP, { ipAddress: '20.9.9.9' }),
    azure(VAULT, { vaultUri: 'https://kv-app.vault.azure.net/' }),
    azure(STORAGE, { primaryEndpoints: { file: 'https://stapp.file.core.windows.net/' } }),
    azure(IDENTITY),
    azure(VMSS),
    azure(`${NODE_RG}/providers/Microsoft.Network/loadBalancers/kubernetes`),
    workload(
      'deployments',
      'web',
      'shop',
      { app: 'web', tier: 'front' },
      {
        serviceAccountName: 'workload',
        volumes: [
          {
            name: 's',
            csi: { driver: 'secrets-store.csi.k8s.io', volumeAttributes: { secretProviderClass: 'kv' } },
          },
        ],
      },
    ),
    workload('deployments', 'web-canary', 'shop', { app: 'web', tier: 'front', track: 'canary' }),
    workload(
      'statefulsets',
      'db',
      'shop',
      { app: 'db' },
      { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data' } }] },
    ),
    workload('deployments', 'web', 'other', { app: 'web', tier: 'front' }),
    sa,
    k8s('secretproviderclasses', {
      metadata: { name: 'kv', namespace: 'shop' },
      spec: { provider: 'azure', parameters: { keyvaultName: 'kv-app' } },
    }),
    k8s('services', {
      metadata: { name: 'web', namespace: 'shop' },
      spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
      status: { loadBalancer: { ingress: [{ ip: '20.1.2.3' }] } },
    }),
    k8s('services', {
      metadata: {
        name: 'named',
        namespace: 'shop',
        annotations: {
          'service.beta.kubernetes.io/azure-pip-name': 'pip-named',
          'service.beta.kubernetes.io/azure-load-balancer-resource-group': 'rg-app',
        },
      },
      spec: { type: 'LoadBalancer', selector: { app: 'db' } },
      status: { loadBalancer: {} },
    }),
    k8s('services', {
      metadata: { name: 'nothing', namespace: 'shop' },
      spec: { selector: { app: 'retired' } },
    }),
    k8s('ingresses', {
      metadata: { name: 'public', namespace: 'shop' },
      spec: {
        ingressClassName: 'azure-application-gateway',
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [
                { backend: { service: { name: 'web' } } },
                { backend: { service: { name: 'missing' } } },
              ],
            },
          },
        ],
      },
    }),
    k8s('ingresses', {
      metadata: { name: 'internal', namespace: 'shop' },
      spec: { ingressClassName: 'nginx', defaultBackend: { service: { name: 'web' } } },
    }),
    k8s('persistentvolumeclaims', {
      metadata: { name: 'data', namespace: 'shop' },
      spec: { volumeName: 'pv-disk' },
      status: { phase: 'Bound' },
    }),
    k8s('persistentvolumes', {
      metadata: { name: 'pv-disk' },
      spec: { csi: { driver: 'disk.csi.azure.com', volumeHandle: DISK } },
    }),
    k8s('persistentvolumes', {
      metadata: { name: 'pv-file' },
      spec: { csi: { driver: 'file.csi.azure.com', volumeHandle: 'rg-app#stapp#share##' } },
    }),
    k8s('nodes', {
      metadata: { name: 'n0', labels: { agentpool: 'user' } },
      spec: { providerID: `azure://${VMSS}/virtualMachines/0` },
    }),
    k8s('nodes', {
      metadata: { name: 'n1' },
      spec: {
        providerID: `azure://${NODE_RG}/providers/Microsoft.Compute/virtualMachineScaleSets/unscanned/virtualMachines/0`,
      },
    }),
  ];
}

const id = (kind: string, name: string, ns = 'shop') => `${CLUSTER}/namespaces/${ns}/${kind}/${name}`;

describe('kubernetesRules', () => {
  const edges = detectDependencies(new ResourceIndex(estate()));
  const from = (source: string) => edges.filter((e) => e.sourceId === source);
  const targets = (source: string) =>
    from(source)
      .map((e) => e.targetId)
      .sort();

  it.each([
    [
      'a workload → its cluster, service account and SecretProviderClass',
      id('deployments', 'web'),
      [CLUSTER, id('secretproviderclasses', 'kv'), id('serviceaccounts', 'workload')],
    ],
    [
      'a workload with the default account that was not listed → its cluster only',
      id('deployments', 'web-canary'),
      [CLUSTER],
    ],
    ['a StatefulSet → its claim', id('statefulsets', 'db'), [CLUSTER, id('persistentvolumeclaims', 'data')]],
    [
      'a LoadBalancer service → every workload its selector matches (not in another namespace), its IP and the load balancer',
      id('services', 'web'),
      [
        `${NODE_RG}/providers/Microsoft.Network/loadBalancers/kubernetes`,
        PIP,
        id('deployments', 'web'),
        id('deployments', 'web-canary'),
      ].sort(),
    ],
    [
      'a service named by azure-pip-name → that IP',
      id('services', 'named'),
      [
        `${NODE_RG}/providers/Microsoft.Network/loadBalancers/kubernetes`,
        NAMED_PIP,
        id('statefulsets', 'db'),
      ].sort(),
    ],
    ['a selector that matches nothing → nothing', id('services', 'nothing'), []],
    [
      'an AGIC ingress → its backend services that exist and the application gateway',
      id('ingresses', 'public'),
      [AGW, id('services', 'web')].sort(),
    ],
    [
      'another ingress class → its default backend only',
      id('ingresses', 'internal'),
      [id('services', 'web')],
    ],
    ['a claim → its volume', id('persistentvolumeclaims', 'data'), [`${CLUSTER}/persistentvolumes/pv-disk`]],
    ['an Azure Disk volume → the disk of its volumeHandle', `${CLUSTER}/persistentvolumes/pv-disk`, [DISK]],
    [
      'an Azure Files volume → the storage account it names',
      `${CLUSTER}/persistentvolumes/pv-file`,
      [STORAGE],
    ],
    [
      'a workload-identity service account → the user-assigned identity',
      id('serviceaccounts', 'workload'),
      [IDENTITY],
    ],
    ['a SecretProviderClass → the Key Vault it names', id('secretproviderclasses', 'kv'), [VAULT]],
    ['a node → the scale set of its providerID', `${CLUSTER}/nodes/n0`, [VMSS]],
    [
      'a node of a scale set that was not scanned (the node resource group left out) → nothing',
      `${CLUSTER}/nodes/n1`,
      [],
    ],
  ])('%s', (_name, source, expected) => {
    expect(targets(source)).toEqual([...expected].sort());
  });

  it('labels each edge with how it was found and the evidence', () => {
    const selector = from(id('services', 'web')).find((e) => e.targetId === id('deployments', 'web'));
    expect(selector).toMatchObject({
      method: 'kubernetes-selector',
      evidence: 'properties.selector',
      category: 'network',
    });
    const pv = from(`${CLUSTER}/persistentvolumes/pv-disk`)[0];
    expect(pv).toMatchObject({
      method: 'arm-reference',
      evidence: 'spec.csi.volumeHandle (disk.csi.azure.com)',
      category: 'data',
    });
  });
});
