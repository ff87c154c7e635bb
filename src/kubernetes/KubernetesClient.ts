import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, NetworkingV1Api } from '@kubernetes/client-node';
import { TopDeckError } from '../errors/TopDeckError';
import type { PolicyStack } from '../resilience';
import { countAttempt } from '../telemetry/callCounts';
import { kubernetesError } from './kubernetesError';
import type { KubernetesKind } from './kubernetesKinds';
import type { KubernetesObject } from './kubernetesObject';

/** Where and how to call one cluster's API server. The credentials live in memory only. */
export interface ClusterEndpoint {
  clusterId: string;
  server: string;
  caPem?: string;
  token?: string;
  clientCertPem?: string;
  clientKeyPem?: string;
}

export interface ListedPage {
  items: KubernetesObject[];
  continueToken?: string;
  /** The cluster does not serve this kind (secretproviderclasses without the CSI driver). */
  absent?: boolean;
}

export interface KubernetesClientOptions {
  stack: PolicyStack;
  /** Per attempt, in milliseconds. */
  timeoutMs?: number;
}

const b64 = (pem: string | undefined) => (pem ? Buffer.from(pem, 'utf8').toString('base64') : undefined);

/**
 * One cluster's lists through `@kubernetes/client-node` (1.x: it runs on Node 20), each call
 * through the cluster's retry, breaker and budget, counted in the page's call metrics, and cut
 * off after timeoutMs.
 */
export class KubernetesClient {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly timeoutMs: number;

  constructor(
    readonly endpoint: ClusterEndpoint,
    private readonly options: KubernetesClientOptions,
  ) {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: 'cluster', server: endpoint.server, caData: b64(endpoint.caPem), skipTLSVerify: false },
      ],
      users: [
        {
          name: 'topdeck',
          ...(endpoint.token ? { token: endpoint.token } : {}),
          ...(endpoint.clientCertPem ? { certData: b64(endpoint.clientCertPem) } : {}),
          ...(endpoint.clientKeyPem ? { keyData: b64(endpoint.clientKeyPem) } : {}),
        },
      ],
      contexts: [{ name: 'topdeck', cluster: 'cluster', user: 'topdeck' }],
      currentContext: 'topdeck',
    });
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.networking = kc.makeApiClient(NetworkingV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private request(kind: KubernetesKind, limit: number, _continue: string | undefined): Promise<unknown> {
    const p = { limit, ...(_continue ? { _continue } : {}) };
    switch (kind) {
      case 'namespaces':
        return this.core.listNamespace(p);
      case 'nodes':
        return this.core.listNode(p);
      case 'pods':
        return this.core.listPodForAllNamespaces(p);
      case 'services':
        return this.core.listServiceForAllNamespaces(p);
      case 'persistentvolumeclaims':
        return this.core.listPersistentVolumeClaimForAllNamespaces(p);
      case 'persistentvolumes':
        return this.core.listPersistentVolume(p);
      case 'serviceaccounts':
        return this.core.listServiceAccountForAllNamespaces(p);
      case 'configmaps':
        return this.core.listConfigMapForAllNamespaces(p);
      case 'deployments':
        return this.apps.listDeploymentForAllNamespaces(p);
      case 'statefulsets':
        return this.apps.listStatefulSetForAllNamespaces(p);
      case 'daemonsets':
        return this.apps.listDaemonSetForAllNamespaces(p);
      case 'replicasets':
        return this.apps.listReplicaSetForAllNamespaces(p);
      case 'ingresses':
        return this.networking.listIngressForAllNamespaces(p);
      case 'secretproviderclasses':
        return this.custom.listClusterCustomObject({
          group: 'secrets-store.csi.x-k8s.io',
          version: 'v1',
          plural: 'secretproviderclasses',
          ...p,
        });
    }
  }

  /** One page of a kind: `limit` objects from `continueToken` on (Kubernetes' `continue`). */
  async listPage(kind: KubernetesKind, limit: number, continueToken?: string): Promise<ListedPage> {
    const cluster = this.endpoint.clusterId.split('/').pop() ?? this.endpoint.clusterId;
    try {
      const body = await this.options.stack.execute(async ({ attempt }) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const answer = await Promise.race([
            this.request(kind, limit, continueToken),
            new Promise<never>((_, reject) => {
              timer = setTimeout(
                () =>
                  reject(
                    new TopDeckError({
                      code: 'KubernetesTimeout',
                      transient: true,
                      message: `the Kubernetes API server of cluster ${cluster} did not answer listing ${kind} within ${this.timeoutMs} ms`,
                    }),
                  ),
                this.timeoutMs,
              );
            }),
          ]);
          countAttempt(attempt, 200);
          return answer;
        } catch (e) {
          const status = (e as { code?: unknown }).code;
          countAttempt(attempt, typeof status === 'number' ? status : 0);
          throw kubernetesError(e, cluster, kind);
        } finally {
          clearTimeout(timer);
        }
      });
      const list = (body ?? {}) as { items?: unknown; metadata?: Record<string, unknown> };
      const meta = list.metadata ?? {};
      // typed lists name it `_continue`; custom objects keep the wire name `continue`
      const next = (meta._continue ?? meta.continue) as string | undefined;
      return {
        items: Array.isArray(list.items) ? (list.items as KubernetesObject[]) : [],
        ...(next ? { continueToken: next } : {}),
      };
    } catch (e) {
      const error = kubernetesError(e, cluster, kind);
      if (kind === 'secretproviderclasses' && error.statusCode === 404) return { items: [], absent: true };
      throw error;
    }
  }
}
