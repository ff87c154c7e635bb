/**
 * The demo emulator's Kubernetes API servers: one HTTPS listener serving every AKS cluster of
 * the estate under `/clusters/<n>`, with the list shapes of the real API (`kind: …List`,
 * `metadata.continue`, `limit`), bearer-token checks (a local account's token, or any Entra token
 * for a managed Entra ID cluster), and faults per cluster for tests. Resource Manager's
 * `listClusterUserCredential` (answerCredential) hands out kubeconfigs pointing here.
 */
import https from 'node:https';
import type net from 'node:net';
import type { Estate } from '../estate';
import { clusterEstate, type ClusterEstate, type K8sObject } from './kubernetesEstate';

export type ClusterFault = 'unauthorized' | 'forbidden' | 'timeout' | 'unreachable';

export interface KubernetesLookAlike {
  endpoint: string;
  clusters: ClusterEstate[];
  /** Sets (or clears) a cluster's fault, by cluster name. */
  fault(clusterName: string, fault: ClusterFault | undefined): void;
  /** List calls answered so far, by `<group/version>/<plural>`. */
  stats(): { requests: number; byList: Record<string, number> };
  /** Resource Manager's answer to `POST …/managedClusters/<name>/listClusterUserCredential`, or undefined for any other call. */
  answerCredential(method: string, pathname: string): { status: number; body: unknown } | undefined;
  close(): Promise<void>;
}

const KIND_OF_LIST: Record<string, string> = {
  namespaces: 'NamespaceList',
  nodes: 'NodeList',
  pods: 'PodList',
  services: 'ServiceList',
  persistentvolumeclaims: 'PersistentVolumeClaimList',
  persistentvolumes: 'PersistentVolumeList',
  serviceaccounts: 'ServiceAccountList',
  configmaps: 'ConfigMapList',
  secrets: 'SecretList',
  deployments: 'DeploymentList',
  statefulsets: 'StatefulSetList',
  daemonsets: 'DaemonSetList',
  replicasets: 'ReplicaSetList',
  ingresses: 'IngressList',
  secretproviderclasses: 'SecretProviderClassList',
};

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

export async function startKubernetesLookAlike(options: {
  estate: Estate;
  key: string;
  cert: string;
  host: string;
  /** App workloads per cluster (benchmarks scale it). */
  workloadsPerCluster?: number;
  /** Added to every list answer, in milliseconds (an API server's list time). */
  latencyMs?: number;
}): Promise<KubernetesLookAlike> {
  const clusters: ClusterEstate[] = [];
  for (const sub of options.estate.subscriptions)
    for (const r of sub.resources)
      if (r.type.toLowerCase() === 'microsoft.containerservice/managedclusters') {
        const sameGroup = sub.resources.filter(
          (x) => x.resourceGroup.toLowerCase() === r.resourceGroup.toLowerCase(),
        );
        clusters.push(clusterEstate(r, sameGroup, { workloads: options.workloadsPerCluster }));
      }
  const faults = new Map<string, ClusterFault>();
  const counters = { requests: 0, byList: {} as Record<string, number> };

  const handle = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    if (options.latencyMs) setTimeout(() => answer(req, res), options.latencyMs);
    else answer(req, res);
  };
  const answer = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://x');
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const m = /^\/clusters\/(\d+)\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))\/([a-z]+)$/.exec(url.pathname);
    const cluster = m ? clusters[Number(m[1])] : undefined;
    if (!m || !cluster)
      return send(
        404,
        status(404, 'NotFound', `the server could not find the requested resource (${url.pathname})`),
      );
    const fault = faults.get(cluster.name);
    if (fault === 'timeout') return; // never answers: the caller's timeout decides
    // a client that already has the server's address finds the connection cut
    if (fault === 'unreachable') return void req.socket.destroy();
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const tokenOk = cluster.entra ? token.length > 0 && !token.startsWith('kt-') : token === cluster.token;
    if (!tokenOk || fault === 'unauthorized') return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (fault === 'forbidden')
      return send(403, status(403, 'Forbidden', `User cannot list resource "${m[4]}" at the cluster scope`));
    const key = `${m[2] ?? m[3]}/${m[4]}`;
    const items = cluster.lists.get(key) ?? (key.startsWith('secrets-store') ? undefined : []);
    if (!items) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    counters.requests++;
    counters.byList[key] = (counters.byList[key] ?? 0) + 1;
    const limit = Number(url.searchParams.get('limit') ?? '0') || items.length || 1;
    const cont = url.searchParams.get('continue');
    const offset = cont ? Number(Buffer.from(cont, 'base64').toString('utf8').split(':')[1]) : 0;
    const page: K8sObject[] = items.slice(offset, offset + limit);
    const more = offset + limit < items.length;
    send(200, {
      kind: KIND_OF_LIST[m[4] as string] ?? 'List',
      apiVersion: m[2] ?? m[3],
      metadata: {
        resourceVersion: '1000',
        ...(more
          ? {
              continue: Buffer.from(`${m[4]}:${offset + limit}`).toString('base64'),
              remainingItemCount: items.length - offset - limit,
            }
          : {}),
      },
      items: page,
    });
  };
  const server = https.createServer({ key: options.key, cert: options.cert, keepAlive: true }, handle);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  const host = options.host.includes(':')
    ? `[${options.host}]`
    : options.host === '0.0.0.0'
      ? '127.0.0.1'
      : options.host;
  const endpoint = `https://${host}:${address.port}`;
  const caData = Buffer.from(options.cert).toString('base64');

  const kubeconfig = (cluster: ClusterEstate, index: number): string => {
    const server =
      faults.get(cluster.name) === 'unreachable' ? 'https://127.0.0.1:9' : `${endpoint}/clusters/${index}`;
    const user = cluster.entra
      ? [
          '    exec:',
          '      apiVersion: client.authentication.k8s.io/v1beta1',
          '      command: kubelogin',
          '      args: [get-token, --login, devicecode, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]',
          '      interactiveMode: IfAvailable',
        ]
      : [`    token: ${cluster.token}`];
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${cluster.name}`,
      '  cluster:',
      `    certificate-authority-data: ${caData}`,
      `    server: ${server}`,
      'contexts:',
      `- name: ${cluster.name}`,
      '  context:',
      `    cluster: ${cluster.name}`,
      `    user: clusterUser_${cluster.name}`,
      `current-context: ${cluster.name}`,
      'users:',
      `- name: clusterUser_${cluster.name}`,
      '  user:',
      ...user,
      '',
    ].join('\n');
  };

  return {
    endpoint,
    clusters,
    fault: (name, fault) => (fault ? faults.set(name, fault) : faults.delete(name)),
    stats: () => ({ requests: counters.requests, byList: { ...counters.byList } }),
    answerCredential: (method, pathname) => {
      const m =
        /\/providers\/microsoft\.containerservice\/managedclusters\/[^/]+\/listclusterusercredential$/i.exec(
          pathname,
        );
      if (!m || method !== 'POST') return undefined;
      const id = pathname.slice(0, -'/listClusterUserCredential'.length).toLowerCase();
      const index = clusters.findIndex((c) => c.clusterId.toLowerCase() === id);
      const cluster = clusters[index];
      if (!cluster)
        return {
          status: 404,
          body: { error: { code: 'ResourceNotFound', message: `The Resource '${id}' was not found.` } },
        };
      return {
        status: 200,
        body: {
          kubeconfigs: [
            { name: 'clusterUser', value: Buffer.from(kubeconfig(cluster, index)).toString('base64') },
          ],
        },
      };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
