import type { Graph, GraphNode } from './types';

/** What narrows the clustered graph; every field optional, compared case-insensitively. */
export interface GraphFilters {
  subscriptionId?: string;
  resourceGroup?: string;
  application?: string;
  type?: string;
}

export const FILTER_FIELDS = ['subscriptionId', 'resourceGroup', 'application', 'type'] as const;

function matches(n: GraphNode, f: GraphFilters): boolean {
  const same = (want: string | undefined, have: string | undefined) =>
    !want || (have ?? '').toLowerCase() === want.toLowerCase();
  return (
    same(f.subscriptionId, n.subscriptionId) &&
    same(f.resourceGroup, n.resourceGroup) &&
    same(f.application, n.application) &&
    same(f.type, n.type)
  );
}

export function hasFilters(f: GraphFilters): boolean {
  return FILTER_FIELDS.some((k) => Boolean(f[k]));
}

/**
 * The part of the graph the filters keep: the resources that match, the edges between them, and
 * the external hosts they point at (an external host has no subscription, group or type to match).
 */
export function applyFilters(graph: Graph, f: GraphFilters): Graph {
  if (!hasFilters(f)) return graph;
  const kept = new Set<string>();
  for (const n of graph.nodes) if (!n.external && matches(n, f)) kept.add(n.id.toLowerCase());
  const external = new Set<string>();
  const edges = graph.edges.filter((e) => {
    const s = e.sourceId.toLowerCase();
    const t = e.targetId.toLowerCase();
    if (!kept.has(s)) return false;
    if (kept.has(t)) return true;
    if (e.targetId.startsWith('external:')) {
      external.add(t);
      return true;
    }
    return false;
  });
  const nodes = graph.nodes.filter((n) => kept.has(n.id.toLowerCase()) || external.has(n.id.toLowerCase()));
  return { nodes, edges };
}

/** The distinct values of one field across the graph, sorted, for the filter's choices. */
export function choices(graph: Graph, field: keyof GraphFilters): string[] {
  const seen = new Map<string, string>();
  for (const n of graph.nodes) {
    const v = n[field];
    if (typeof v === 'string' && v && !n.external) seen.set(v.toLowerCase(), seen.get(v.toLowerCase()) ?? v);
  }
  return [...seen.values()].sort((a, b) => a.localeCompare(b));
}
