/**
 * The Kubernetes kinds TopDeck reads from each AKS cluster, in the order one cluster task lists
 * them (namespaces and nodes first; workloads, then ReplicaSets for the owner chains, before the
 * pods summed into them). Secrets are not
 * among them and never will be: only names and references leave a cluster.
 */
export const KUBERNETES_KINDS = [
  'namespaces',
  'nodes',
  'deployments',
  'statefulsets',
  'daemonsets',
  'replicasets',
  'pods',
  'services',
  'ingresses',
  'persistentvolumeclaims',
  'persistentvolumes',
  'serviceaccounts',
  'configmaps',
  'secretproviderclasses',
] as const;
export type KubernetesKind = (typeof KUBERNETES_KINDS)[number];

/**
 * Kinds listed, never kept as resources of their own: pods are summed into their workloads;
 * ReplicaSets are read only for the owner chain pod → ReplicaSet → Deployment
 * (src/kubernetes/replicaSetOwners.ts).
 */
export const SUMMED_KINDS: ReadonlySet<KubernetesKind> = new Set(['pods', 'replicasets']);

/** Kinds without a namespace. */
export const CLUSTER_SCOPED: ReadonlySet<KubernetesKind> = new Set([
  'namespaces',
  'nodes',
  'persistentvolumes',
]);

/** The workload kinds pods are summed into. */
export const WORKLOAD_KINDS: ReadonlySet<KubernetesKind> = new Set([
  'deployments',
  'statefulsets',
  'daemonsets',
]);

export const CLUSTER_TYPE = 'Microsoft.ContainerService/managedClusters';

/** `Microsoft.ContainerService/managedClusters/<kind plural>` (design.md's contract). */
export function kubernetesType(kind: KubernetesKind): string {
  return `${CLUSTER_TYPE}/${kind}`;
}

/** Every type kept as a resource. */
export const KUBERNETES_TYPES: readonly string[] = KUBERNETES_KINDS.filter((k) => !SUMMED_KINDS.has(k)).map(
  kubernetesType,
);

/**
 * `<cluster ARM id>/namespaces/<ns>/<kind plural>/<name>`, cluster-scoped kinds
 * `<cluster ARM id>/<kind plural>/<name>` (a namespace itself: `<cluster>/namespaces/<name>`).
 */
export function kubernetesId(
  clusterId: string,
  kind: KubernetesKind,
  name: string,
  namespace?: string,
): string {
  if (CLUSTER_SCOPED.has(kind) || !namespace) return `${clusterId}/${kind}/${name}`;
  return `${clusterId}/namespaces/${namespace}/${kind}/${name}`;
}

/** The kind of a Kubernetes resource type, or undefined for any other type. */
export function kindOfType(type: string): KubernetesKind | undefined {
  const lower = type.toLowerCase();
  const prefix = `${CLUSTER_TYPE.toLowerCase()}/`;
  if (!lower.startsWith(prefix)) return undefined;
  const kind = lower.slice(prefix.length);
  return (KUBERNETES_KINDS as readonly string[]).includes(kind) ? (kind as KubernetesKind) : undefined;
}

/** The cluster ARM id of a Kubernetes object's id (the part before its first kind segment). */
export function clusterIdOf(objectId: string): string {
  const m = /^(.*?\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+)\//i.exec(objectId);
  return m?.[1] ?? objectId;
}
