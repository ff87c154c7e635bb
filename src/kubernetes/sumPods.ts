import { kubernetesId, type KubernetesKind } from './kubernetesKinds';
import { list, metadataOf, num, rec, text, type KubernetesObject } from './kubernetesObject';
import { replicaSetKey, type ReplicaSetOwners } from './replicaSetOwners';

/** What a workload's pods add up to: shown on the workload, kept out of its content hash. */
export interface PodSum {
  /** `<kind>|<namespace>|<name>` of the owning workload. */
  owner: string;
  podsTotal: number;
  podsReady: number;
  restarts: number;
  /** Images the containers actually run (a rollout in progress shows two). */
  runningImages: string[];
}

/**
 * The workload a pod belongs to, following its controller owner reference: a StatefulSet or
 * DaemonSet directly; a ReplicaSet on to the Deployment its own owner reference names (`owners`,
 * read from the ReplicaSets listed before the pods), whatever the ReplicaSet is called. A
 * ReplicaSet no Deployment owns, a Job or an unowned pod: none.
 */
export function podOwner(
  pod: KubernetesObject,
  owners: ReplicaSetOwners = new Map(),
): { kind: KubernetesKind; namespace: string; name: string } | undefined {
  const meta = metadataOf(pod);
  const owner = meta.ownerReferences.find((r) => r.controller) ?? meta.ownerReferences[0];
  if (!owner || !meta.namespace) return undefined;
  if (owner.kind === 'StatefulSet')
    return { kind: 'statefulsets', namespace: meta.namespace, name: owner.name };
  if (owner.kind === 'DaemonSet') return { kind: 'daemonsets', namespace: meta.namespace, name: owner.name };
  if (owner.kind === 'ReplicaSet') {
    const deployment = owners.get(replicaSetKey(meta.namespace, owner.name));
    return deployment ? { kind: 'deployments', namespace: meta.namespace, name: deployment } : undefined;
  }
  return undefined;
}

function addPod(sum: PodSum, pod: KubernetesObject): void {
  const status = rec(pod.status);
  const statuses = list(status.containerStatuses);
  sum.podsTotal++;
  if (list(status.conditions).some((c) => c.type === 'Ready' && c.status === 'True')) sum.podsReady++;
  for (const c of statuses) sum.restarts += num(c.restartCount) ?? 0;
  for (const image of statuses.map((c) => text(c.image)))
    if (image && !sum.runningImages.includes(image)) sum.runningImages.push(image);
}

/**
 * One page of pods summed per owning workload. The API lists pods in name order, and a
 * workload's pods share its name as a prefix, so only the page's last workload can go on into
 * the next page: its partial sum is carried (in the continuation, a few hundred bytes) instead of
 * being written, and the carry from the page before is added in. Memory: one page.
 */
export function sumPods(
  pods: readonly KubernetesObject[],
  carried: PodSum | undefined,
  lastPage: boolean,
  /** The Deployment of each ReplicaSet the pods name (src/kubernetes/replicaSetOwners.ts). */
  owners?: ReplicaSetOwners,
): { done: PodSum[]; carry?: PodSum } {
  const sums = new Map<string, PodSum>();
  if (carried) sums.set(carried.owner, { ...carried, runningImages: [...carried.runningImages] });
  let lastOwner: string | undefined;
  for (const pod of pods) {
    const o = podOwner(pod, owners);
    if (!o) continue;
    const owner = `${o.kind}|${o.namespace}|${o.name}`;
    let sum = sums.get(owner);
    if (!sum) {
      sum = { owner, podsTotal: 0, podsReady: 0, restarts: 0, runningImages: [] };
      sums.set(owner, sum);
    }
    addPod(sum, pod);
    lastOwner = owner;
  }
  for (const s of sums.values()) s.runningImages.sort();
  if (lastPage || !lastOwner) return { done: [...sums.values()] };
  const carry = sums.get(lastOwner) as PodSum;
  sums.delete(lastOwner);
  return { done: [...sums.values()], carry };
}

/** The workload id a sum belongs to. */
export function podSumWorkloadId(clusterId: string, sum: Pick<PodSum, 'owner'>): string {
  const [kind, namespace, name] = sum.owner.split('|') as [KubernetesKind, string, string];
  return kubernetesId(clusterId, kind, name, namespace);
}
