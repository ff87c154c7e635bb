import type { Edge, Graph, GraphNode } from './types';

export interface Cluster {
  id: string;
  /** The application or resource group name, as a person knows it. */
  name: string;
  kind: 'application' | 'resourceGroup' | 'external' | 'other' | 'rest';
  members: GraphNode[];
}

/** One drawn edge standing for every edge between two clusters, either way. */
export interface AggregateEdge {
  id: string;
  source: string;
  target: string;
  count: number;
  /** The category most of its edges have (ties: the first in CATEGORY_ORDER). */
  category: Edge['category'];
}

export interface ClusterModel {
  clusters: Cluster[];
  clusterById: Map<string, Cluster>;
  /** Lower-cased node id to its cluster id. */
  clusterOfNode: Map<string, string>;
  /** Lower-cased node id to the node. */
  nodeById: Map<string, GraphNode>;
  aggregates: AggregateEdge[];
  /** Per cluster id, the edges with both ends in it (drawn when it is expanded). */
  internal: Map<string, Edge[]>;
  /** Per lower-cased node id, its edges both ways. */
  edgesOf: Map<string, Edge[]>;
}

/**
 * More clusters than this and the overview is no longer something a person reads: the smallest
 * are folded into one "smaller groups" cluster so that at most this many are drawn.
 */
export const MAX_CLUSTERS = 150;

const CATEGORY_ORDER: Edge['category'][] = ['network', 'data', 'configuration', 'compute'];

/** The id of an ARM child's parent (`.../virtualNetworks/v/subnets/s` → `.../virtualNetworks/v`). */
function parentId(id: string): string | undefined {
  const parts = id.split('/');
  // /subscriptions/s/resourceGroups/g/providers/NS/type/name = 9 parts; a child has 2 more.
  if (parts.length < 11 || parts[5]?.toLowerCase() !== 'providers') return undefined;
  return parts.slice(0, -2).join('/').toLowerCase();
}

/**
 * The cluster a node belongs to: its application when it has one, else its parent's cluster (a
 * subnet sits with its virtual network), else its resource group. External hosts share one.
 */
export function clusterOf(
  n: GraphNode,
  nodeById: ReadonlyMap<string, GraphNode>,
): Pick<Cluster, 'id' | 'name' | 'kind'> {
  if (n.external) return { id: 'cluster:external', name: 'external', kind: 'external' };
  if (n.application) return { id: `cluster:app:${n.application}`, name: n.application, kind: 'application' };
  const parent = parentId(n.id);
  const p = parent ? nodeById.get(parent) : undefined;
  if (p && p !== n) return clusterOf(p, nodeById);
  if (n.resourceGroup)
    return {
      id: `cluster:rg:${(n.subscriptionId ?? '').toLowerCase()}/${n.resourceGroup.toLowerCase()}`,
      name: n.resourceGroup,
      kind: 'resourceGroup',
    };
  return { id: 'cluster:other', name: 'other', kind: 'other' };
}

/** Clusters (largest first), their aggregated edges and each one's inner edges, in one pass each. */
export function buildClusterModel(graph: Graph, maxClusters = MAX_CLUSTERS): ClusterModel {
  const nodeById = new Map<string, GraphNode>();
  for (const n of graph.nodes) nodeById.set(n.id.toLowerCase(), n);
  const byId = new Map<string, Cluster>();
  const clusterOfNode = new Map<string, string>();
  for (const n of graph.nodes) {
    const c = clusterOf(n, nodeById);
    let cluster = byId.get(c.id);
    if (!cluster) byId.set(c.id, (cluster = { ...c, members: [] }));
    cluster.members.push(n);
    clusterOfNode.set(n.id.toLowerCase(), c.id);
  }
  // The same group name in two subscriptions: each named with its subscription's first characters.
  const seen = new Map<string, number>();
  for (const c of byId.values())
    if (c.kind === 'resourceGroup') seen.set(c.name.toLowerCase(), (seen.get(c.name.toLowerCase()) ?? 0) + 1);
  for (const c of byId.values())
    if (c.kind === 'resourceGroup' && (seen.get(c.name.toLowerCase()) ?? 0) > 1)
      c.name = `${c.name} (${(c.members[0]?.subscriptionId ?? '').slice(0, 8)})`;
  let clusters = [...byId.values()].sort(
    (a, b) => b.members.length - a.members.length || a.name.localeCompare(b.name),
  );
  if (clusters.length > maxClusters) {
    const kept = clusters.slice(0, maxClusters - 1);
    const folded = clusters.slice(maxClusters - 1);
    const rest: Cluster = {
      id: 'cluster:rest',
      name: `${folded.length} smaller groups`,
      kind: 'rest',
      members: folded.flatMap((c) => c.members),
    };
    for (const c of folded) byId.delete(c.id);
    for (const n of rest.members) clusterOfNode.set(n.id.toLowerCase(), rest.id);
    byId.set(rest.id, rest);
    clusters = [...kept, rest];
  }

  const pairs = new Map<
    string,
    { source: string; target: string; count: number; byCategory: Map<string, number> }
  >();
  const internal = new Map<string, Edge[]>();
  const edgesOf = new Map<string, Edge[]>();
  for (const e of graph.edges) {
    const s = e.sourceId.toLowerCase();
    const t = e.targetId.toLowerCase();
    const cs = clusterOfNode.get(s);
    const ct = clusterOfNode.get(t);
    if (!cs || !ct) continue;
    for (const end of [s, t]) {
      const list = edgesOf.get(end);
      if (list) list.push(e);
      else edgesOf.set(end, [e]);
    }
    if (cs === ct) {
      const list = internal.get(cs);
      if (list) list.push(e);
      else internal.set(cs, [e]);
      continue;
    }
    const [a, b] = cs < ct ? [cs, ct] : [ct, cs];
    const key = `${a}|${b}`;
    let pair = pairs.get(key);
    if (!pair) pairs.set(key, (pair = { source: cs, target: ct, count: 0, byCategory: new Map() }));
    pair.count++;
    pair.byCategory.set(e.category, (pair.byCategory.get(e.category) ?? 0) + 1);
  }
  let i = 0;
  const aggregates: AggregateEdge[] = [...pairs.values()].map((p) => {
    let category: Edge['category'] = 'network';
    let best = -1;
    for (const c of CATEGORY_ORDER) {
      const n = p.byCategory.get(c) ?? 0;
      if (n > best) [category, best] = [c, n];
    }
    return { id: `agg${++i}`, source: p.source, target: p.target, count: p.count, category };
  });
  return { clusters, clusterById: byId, clusterOfNode, nodeById, aggregates, internal, edgesOf };
}
