import type { GraphNode } from './GraphNode';
import { NodeIndex } from './NodeIndex';
import type { IndexedResource } from './readProperties';

/**
 * What the rules read at one time: some resources (a page of the inventory, or all of it), by
 * type, and the look-ups over the whole estate.
 */
export interface RuleView {
  ofType(type: string): readonly IndexedResource[];
  readonly nodes: NodeIndex;
}

/** Resources with an id, grouped by type (lower-cased), those `keep` accepts. */
function byType(resources: Iterable<IndexedResource>, keep: (r: IndexedResource) => boolean) {
  const grouped = new Map<string, IndexedResource[]>();
  for (const r of resources) {
    if (!r.id || !keep(r)) continue;
    const t = r.type.toLowerCase();
    const list = grouped.get(t);
    if (list) list.push(r);
    else grouped.set(t, [r]);
  }
  return grouped;
}

/** A page of the inventory read against the whole estate's look-ups. */
export class PageView implements RuleView {
  private readonly grouped: Map<string, IndexedResource[]>;
  constructor(
    readonly nodes: NodeIndex,
    page: readonly IndexedResource[],
  ) {
    // the table holds an id once, so a page needs no de-duplication
    this.grouped = byType(page, () => true);
  }
  ofType(type: string): readonly IndexedResource[] {
    return this.grouped.get(type.toLowerCase()) ?? [];
  }
}

/**
 * The whole inventory in memory, with the look-ups (src/dependencies/NodeIndex.ts): for the graph
 * view, which draws every node, and for rules run over everything at once.
 */
export class ResourceIndex implements RuleView {
  readonly nodes = new NodeIndex();
  private readonly byId = new Map<string, IndexedResource>();
  private readonly grouped: Map<string, IndexedResource[]>;

  constructor(resources: Iterable<IndexedResource>) {
    this.grouped = byType(resources, (r) => {
      const lower = r.id.toLowerCase();
      if (this.byId.has(lower)) return false;
      this.byId.set(lower, r);
      this.nodes.add(r);
      return true;
    });
  }

  resources(): IterableIterator<IndexedResource> {
    return this.byId.values();
  }

  *subnetNodes(): IterableIterator<GraphNode> {
    for (const n of this.nodes.all()) if (!this.byId.has(n.id.toLowerCase())) yield n;
  }

  ofType(type: string): readonly IndexedResource[] {
    return this.grouped.get(type.toLowerCase()) ?? [];
  }

  node(id: string): GraphNode {
    return this.nodes.node(id);
  }
}
