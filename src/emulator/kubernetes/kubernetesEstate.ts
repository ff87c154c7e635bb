/**
 * The demo estate inside each AKS cluster: namespaces, nodes of the cluster's two pools,
 * deployments with their ReplicaSets and pods (owner references and pod-template-hash as the
 * controllers set them), a StatefulSet on a disk-backed volume, a DaemonSet, services (one
 * LoadBalancer on the cluster's public IP), an ingress (the application gateway's when AGIC is
 * on), volumes on the cluster's disk and storage account, a workload-identity service account,
 * a SecretProviderClass on the resource group's Key Vault, ConfigMaps and Secrets (with planted
 * values, never to be read by TopDeck).
 */
import { createHash } from 'node:crypto';
import type { EmulatedResource } from '../EmulatedResource';

export type K8sObject = Record<string, unknown> & { metadata: { name: string; namespace?: string } };

export interface ClusterEstate {
  clusterId: string;
  name: string;
  entra: boolean;
  /** A local-account cluster's user token (what listClusterUserCredential hands out). */
  token: string;
  /** Lists by `<group/version>/<plural>` (`v1/pods`, `apps/v1/deployments`), in name order. */
  lists: Map<string, K8sObject[]>;
  /** Values planted in Secrets, ConfigMap data and env values: none may ever leave the cluster. */
  planted: string[];
}

function hex(text: string, n: number): string {
  return createHash('sha1').update(text).digest('hex').slice(0, n);
}

function uid(text: string): string {
  const h = hex(text, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const sortByKey = (a: K8sObject, b: K8sObject) => {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/**
 * One cluster's objects. `workloads` scales the app namespaces (benchmarks); the resources of
 * the cluster's resource group give the Azure ends of the references.
 */
export function clusterEstate(
  cluster: EmulatedResource,
  sameGroup: readonly EmulatedResource[],
  options: { workloads?: number } = {},
): ClusterEstate {
  const body = cluster.body() as { properties?: Record<string, unknown> };
  const props = body.properties ?? {};
  const entra = Boolean(props.aadProfile);
  const nodeRg = String(
    props.nodeResourceGroup ?? `MC_${cluster.resourceGroup}_${cluster.name}_${cluster.location}`,
  );
  const agic = Boolean(
    (props.addonProfiles as Record<string, unknown> | undefined)?.ingressApplicationGateway,
  );
  const of = (type: string) => sameGroup.filter((r) => r.type.toLowerCase() === type.toLowerCase());
  const pip = of('Microsoft.Network/publicIPAddresses').find((r) => r.name === `pip-${cluster.name}`);
  const pipIp = pip
    ? String((pip.body() as { properties?: { ipAddress?: string } }).properties?.ipAddress ?? '')
    : '';
  const disk = of('Microsoft.Compute/disks').find((r) => r.name === `disk-${cluster.name}-data`);
  const account = of('Microsoft.Storage/storageAccounts')[0];
  const vault = of('Microsoft.KeyVault/vaults')[0];
  const identity = of('Microsoft.ManagedIdentity/userAssignedIdentities')[0];
  const clientId = identity
    ? String((identity.body() as { properties?: { clientId?: string } }).properties?.clientId ?? '')
    : '';
  const planted = [
    `k8s-secret-${hex(cluster.id, 12)}`,
    `cm-value-${hex(cluster.id, 12)}`,
    `env-value-${hex(cluster.id, 12)}`,
  ];
  const [secretValue, configValue, envValue] = planted as [string, string, string];
  const lists = new Map<string, K8sObject[]>();
  const add = (key: string, o: K8sObject) => {
    const l = lists.get(key) ?? [];
    l.push(o);
    lists.set(key, l);
  };
  const meta = (
    name: string,
    namespace?: string,
    labels: Record<string, string> = {},
    extra: Record<string, unknown> = {},
  ) => ({
    name,
    ...(namespace ? { namespace } : {}),
    uid: uid(`${cluster.id}/${namespace ?? ''}/${name}/${JSON.stringify(extra)}`),
    resourceVersion: '1',
    creationTimestamp: '2026-01-01T00:00:00Z',
    labels,
    ...extra,
  });

  // nodes of the cluster's two pools, in its node resource group's scale sets
  const pools = [
    { name: 'system', count: 3, size: 'Standard_D4s_v5' },
    { name: 'user', count: 5, size: 'Standard_D8s_v5' },
  ];
  for (const pool of pools) {
    const vmss = `aks-${pool.name}-${hex(cluster.id, 8)}-vmss`;
    for (let i = 0; i < pool.count; i++)
      add('v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: meta(`${vmss}00000${i}`, undefined, {
          'kubernetes.azure.com/agentpool': pool.name,
          'node.kubernetes.io/instance-type': pool.size,
        }),
        spec: {
          providerID: `azure:///subscriptions/${cluster.subscriptionId}/resourceGroups/${nodeRg.toLowerCase()}/providers/Microsoft.Compute/virtualMachineScaleSets/${vmss}/virtualMachines/${i}`,
        },
        status: {
          nodeInfo: { kubeletVersion: 'v1.30.4', osImage: 'Ubuntu 22.04.5 LTS' },
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      });
  }

  const namespaces = ['default', 'kube-system'];
  const appNamespaces = ['shop', 'payments', 'platform'];
  const perNamespace = Math.max(1, Math.ceil((options.workloads ?? 6) / appNamespaces.length));
  namespaces.push(...appNamespaces);
  for (const ns of namespaces)
    add('v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: meta(ns, undefined, { 'kubernetes.io/metadata.name': ns }),
      status: { phase: 'Active' },
    });

  const pod = (
    ns: string,
    name: string,
    labels: Record<string, string>,
    owner: { kind: string; name: string },
    image: string,
    ready: boolean,
    restarts: number,
  ) =>
    add('v1/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(name, ns, labels, {
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: owner.kind,
            name: owner.name,
            uid: uid(owner.name),
            controller: true,
          },
        ],
      }),
      spec: { containers: [{ name: 'main', image, env: [{ name: 'DB_PASSWORD', value: envValue }] }] },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
        containerStatuses: [{ name: 'main', image, ready, restartCount: restarts }],
      },
    });

  const template = (labels: Record<string, string>, image: string, sa: string, volumes: unknown[] = []) => ({
    metadata: { labels },
    spec: {
      serviceAccountName: sa,
      containers: [
        {
          name: 'main',
          image,
          env: [
            { name: 'DB_PASSWORD', value: envValue },
            { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'app-secrets', key: 'password' } } },
          ],
          envFrom: [{ configMapRef: { name: 'app-config' } }],
        },
      ],
      volumes,
    },
  });

  appNamespaces.forEach((ns, nsIndex) => {
    add('v1/serviceaccounts', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(
        'workload',
        ns,
        {},
        {
          annotations: clientId ? { 'azure.workload.identity/client-id': clientId } : {},
        },
      ),
      secrets: [{ name: 'workload-token' }],
    });
    add('v1/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', ns) });
    add('v1/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('app-config', ns),
      data: { SETTING: configValue },
    });
    add('v1/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta('app-secrets', ns),
      type: 'Opaque',
      data: { password: Buffer.from(secretValue).toString('base64') },
    });
    if (vault)
      add('secrets-store.csi.x-k8s.io/v1/secretproviderclasses', {
        apiVersion: 'secrets-store.csi.x-k8s.io/v1',
        kind: 'SecretProviderClass',
        metadata: meta('kv-secrets', ns),
        spec: {
          provider: 'azure',
          parameters: {
            keyvaultName: vault.name,
            tenantId: '00000000-0000-0000-0000-00000000eeee',
            clientID: clientId,
            objects: 'array:\n  - |\n    objectName: api-key\n    objectType: secret\n',
          },
        },
      });
    for (let w = 0; w < perNamespace; w++) {
      const app = w === 0 ? 'web' : w === 1 ? 'api' : `svc-${String(w).padStart(4, '0')}`;
      const labels = { app };
      const image = `acr${hex(cluster.resourceGroup, 6)}.azurecr.io/${ns}/${app}:1.${nsIndex}.${w % 7}`;
      const replicas = 2 + (w % 2);
      const hash = hex(`${cluster.id}/${ns}/${app}`, 10);
      const csi =
        w === 0 && vault
          ? [
              {
                name: 'secrets',
                csi: {
                  driver: 'secrets-store.csi.k8s.io',
                  readOnly: true,
                  volumeAttributes: { secretProviderClass: 'kv-secrets' },
                },
              },
            ]
          : [];
      add('apps/v1/deployments', {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: meta(app, ns, labels),
        spec: {
          replicas,
          selector: { matchLabels: labels },
          template: template(labels, image, w === 0 ? 'workload' : 'default', csi),
        },
        status: { replicas, readyReplicas: replicas, availableReplicas: replicas },
      });
      const rs = `${app}-${hash}`;
      add('apps/v1/replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: meta(
          rs,
          ns,
          { ...labels, 'pod-template-hash': hash },
          {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'Deployment', name: app, uid: uid(app), controller: true },
            ],
          },
        ),
        spec: { replicas },
        status: { replicas, readyReplicas: replicas },
      });
      for (let r = 0; r < replicas; r++)
        pod(
          ns,
          `${rs}-${hex(`${rs}/${r}`, 5)}`,
          { ...labels, 'pod-template-hash': hash },
          { kind: 'ReplicaSet', name: rs },
          image,
          true,
          r,
        );
      add('v1/services', {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: meta(
          app,
          ns,
          labels,
          w === 0 && nsIndex === 0 && pip
            ? { annotations: { 'service.beta.kubernetes.io/azure-pip-name': pip.name } }
            : {},
        ),
        spec: {
          type: w === 0 && nsIndex === 0 ? 'LoadBalancer' : 'ClusterIP',
          clusterIP: `10.240.${nsIndex}.${(w % 250) + 2}`,
          selector: labels,
          ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
        },
        status:
          w === 0 && nsIndex === 0 && pipIp
            ? { loadBalancer: { ingress: [{ ip: pipIp }] } }
            : { loadBalancer: {} },
      });
    }
    add('v1/services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('legacy', ns),
      spec: {
        type: 'ClusterIP',
        clusterIP: `10.240.${nsIndex}.250`,
        selector: { app: 'retired' },
        ports: [{ port: 80 }],
      },
      status: { loadBalancer: {} },
    });
    add('networking.k8s.io/v1/ingresses', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta('public', ns),
      spec: {
        ingressClassName: agic ? 'azure-application-gateway' : 'webapprouting.kubernetes.azure.com',
        rules: [
          {
            host: `${ns}.${cluster.name}.example.com`,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
                {
                  path: '/api',
                  pathType: 'Prefix',
                  backend: { service: { name: 'api', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: {} },
    });
  });

  // a StatefulSet on a disk, a share of the storage account, a node agent on every node
  const dbLabels = { app: 'db' };
  add('apps/v1/statefulsets', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: meta('db', 'platform', dbLabels),
    spec: {
      replicas: 1,
      selector: { matchLabels: dbLabels },
      serviceName: 'db',
      template: template(dbLabels, 'postgres:16', 'default', [
        { name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } },
        { name: 'files', persistentVolumeClaim: { claimName: 'files' } },
      ]),
    },
    status: { replicas: 1, readyReplicas: 1 },
  });
  pod('platform', 'db-0', dbLabels, { kind: 'StatefulSet', name: 'db' }, 'postgres:16', true, 0);
  const volumes: Array<{
    claim: string;
    pv: string;
    driver: string;
    handle: string;
    size: string;
    attributes: Record<string, string>;
  }> = [];
  if (disk)
    volumes.push({
      claim: 'data-db-0',
      pv: `pvc-${uid(`${cluster.id}/disk`)}`,
      driver: 'disk.csi.azure.com',
      handle: disk.id,
      size: '64Gi',
      attributes: {},
    });
  if (account)
    volumes.push({
      claim: 'files',
      pv: `pvc-${uid(`${cluster.id}/file`)}`,
      driver: 'file.csi.azure.com',
      handle: `${nodeRg}#${account.name}#pvc-files##`,
      size: '100Gi',
      attributes: { storageAccount: account.name, resourceGroup: cluster.resourceGroup },
    });
  for (const v of volumes) {
    add('v1/persistentvolumeclaims', {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(v.claim, 'platform'),
      spec: {
        storageClassName: v.driver.startsWith('disk') ? 'managed-csi' : 'azurefile-csi',
        volumeName: v.pv,
        resources: { requests: { storage: v.size } },
        accessModes: ['ReadWriteOnce'],
      },
      status: { phase: 'Bound', capacity: { storage: v.size } },
    });
    add('v1/persistentvolumes', {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: meta(v.pv),
      spec: {
        storageClassName: v.driver.startsWith('disk') ? 'managed-csi' : 'azurefile-csi',
        capacity: { storage: v.size },
        csi: { driver: v.driver, volumeHandle: v.handle, volumeAttributes: v.attributes },
        claimRef: { namespace: 'platform', name: v.claim },
      },
      status: { phase: 'Bound' },
    });
  }
  const agentLabels = { app: 'node-agent' };
  add('apps/v1/daemonsets', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: meta('node-agent', 'kube-system', agentLabels),
    spec: {
      selector: { matchLabels: agentLabels },
      template: template(agentLabels, 'mcr.microsoft.com/oss/node-agent:2.1', 'default'),
    },
    status: { desiredNumberScheduled: 8, numberReady: 8 },
  });
  for (let i = 0; i < 8; i++)
    pod(
      'kube-system',
      `node-agent-${hex(`agent${i}`, 5)}`,
      agentLabels,
      { kind: 'DaemonSet', name: 'node-agent' },
      'mcr.microsoft.com/oss/node-agent:2.1',
      true,
      0,
    );
  for (const l of lists.values()) l.sort(sortByKey);
  return {
    clusterId: cluster.id,
    name: cluster.name,
    entra,
    token: `kt-${hex(`token/${cluster.id}`, 40)}`,
    lists,
    planted,
  };
}
