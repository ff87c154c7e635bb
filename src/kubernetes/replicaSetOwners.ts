import { odataString } from '../storage/keys';
import type { ScanStore } from '../scan/ScanStore';
import { metadataOf, type KubernetesObject } from './kubernetesObject';

/** `<namespace>/<ReplicaSet name>` → the name of the Deployment that controls it. */
export type ReplicaSetOwners = Map<string, string>;

/** A note's field holds at most this many characters (Table Storage: 64 KiB a string). */
const CHUNK_CHARS = 30_000;

export function replicaSetKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function controllerOf(o: KubernetesObject) {
  const refs = metadataOf(o).ownerReferences;
  return refs.find((r) => r.controller) ?? refs[0];
}

/**
 * The Deployment owner of each listed ReplicaSet, by its controller owner reference (whatever the
 * ReplicaSet is called). A ReplicaSet without a Deployment owner is left out: its pods belong to
 * no kept workload.
 */
export function replicaSetOwners(replicaSets: readonly KubernetesObject[]): ReplicaSetOwners {
  const owners: ReplicaSetOwners = new Map();
  for (const rs of replicaSets) {
    const meta = metadataOf(rs);
    const owner = controllerOf(rs);
    if (meta.namespace && meta.name && owner?.kind === 'Deployment' && owner.name)
      owners.set(replicaSetKey(meta.namespace, meta.name), owner.name);
  }
  return owners;
}

/** The ReplicaSets a page of pods names as their controllers. */
export function replicaSetsOfPods(pods: readonly KubernetesObject[]): string[] {
  const keys = new Set<string>();
  for (const pod of pods) {
    const meta = metadataOf(pod);
    const owner = controllerOf(pod);
    if (owner?.kind === 'ReplicaSet' && meta.namespace) keys.add(replicaSetKey(meta.namespace, owner.name));
  }
  return [...keys];
}

interface OwnerNote {
  first: string;
  last: string;
  [chunk: `o${number}`]: string;
}

/**
 * A page of ReplicaSets' owners kept for the task's pod pages, which come in later messages: one
 * note a page (its key range and `<key>\t<deployment>` lines), so a pod page reads the few notes
 * whose range holds its ReplicaSets, never the whole cluster's. Both lists come in name order,
 * and pods are named after their ReplicaSet, so a page of pods meets one or two notes.
 */
export async function saveReplicaSetOwners(
  store: ScanStore,
  scanId: string,
  taskId: string,
  owners: ReplicaSetOwners,
): Promise<void> {
  if (!owners.size) return;
  const keys = [...owners.keys()].sort();
  const lines = keys.map((k) => `${k}\t${owners.get(k) as string}`).join('\n');
  const note: Record<string, string> = { first: keys[0] as string, last: keys[keys.length - 1] as string };
  for (let i = 0; i * CHUNK_CHARS < lines.length; i++)
    note[`o${i}`] = lines.slice(i * CHUNK_CHARS, (i + 1) * CHUNK_CHARS);
  await store.putTaskNote(scanId, taskId, `rs|${note.first}`, note);
}

/** The owners of `wanted` ReplicaSets from the notes of the task's earlier pages. */
export async function loadReplicaSetOwners(
  store: ScanStore,
  scanId: string,
  taskId: string,
  wanted: readonly string[],
): Promise<ReplicaSetOwners> {
  const owners: ReplicaSetOwners = new Map();
  if (!wanted.length) return owners;
  const sorted = [...wanted].sort();
  const want = new Set(sorted);
  const where = `first le ${odataString(sorted[sorted.length - 1] as string)} and last ge ${odataString(sorted[0] as string)}`;
  for (const note of await store.listTaskNotes<OwnerNote>(scanId, taskId, where)) {
    let lines = '';
    for (let i = 0; typeof note[`o${i}`] === 'string'; i++) lines += note[`o${i}`];
    for (const line of lines.split('\n')) {
      const tab = line.indexOf('\t');
      const key = line.slice(0, tab);
      if (tab > 0 && want.has(key)) owners.set(key, line.slice(tab + 1));
    }
  }
  return owners;
}
