import { kindOfType, WORKLOAD_KINDS } from '../kubernetes/kubernetesKinds';
import type { IndexedResource } from './readProperties';

/**
 * The pod-template labels of every Kubernetes workload, by namespace (`<cluster>/namespaces/<ns>`,
 * lower-case), so a Service on any page of the inventory finds the workloads its selector
 * matches. About 150 bytes a workload: a cluster of 500 workloads costs ~75 KB.
 */
export class KubernetesLabels {
  private readonly byNamespace = new Map<string, Array<{ id: string; labels: string }>>();

  add(r: IndexedResource): void {
    const kind = kindOfType(r.type);
    if (!kind || !WORKLOAD_KINDS.has(kind)) return;
    const labels = r.properties.labels;
    if (!labels || typeof labels !== 'object') return;
    const ns = namespaceOf(r.id);
    if (!ns) return;
    const list = this.byNamespace.get(ns) ?? [];
    list.push({ id: r.id, labels: JSON.stringify(labels) });
    this.byNamespace.set(ns, list);
  }

  /** The workloads of a namespace whose pod labels include every pair of the selector; none for an empty selector. */
  selectedBy(namespaceId: string, selector: Record<string, string>): string[] {
    const pairs = Object.entries(selector);
    if (!pairs.length) return [];
    return (this.byNamespace.get(namespaceId.toLowerCase()) ?? [])
      .filter((w) => {
        const labels = JSON.parse(w.labels) as Record<string, unknown>;
        return pairs.every(([k, v]) => labels[k] === v);
      })
      .map((w) => w.id);
  }
}

/** `<cluster>/namespaces/<ns>` of a namespaced object's id (lower-case), or undefined. */
export function namespaceOf(id: string): string | undefined {
  return /^(.*\/managedclusters\/[^/]+\/namespaces\/[^/]+)\//i.exec(id)?.[1]?.toLowerCase();
}
