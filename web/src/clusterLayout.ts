import type { GraphNode } from './types';

export interface Cluster {
  id: string;
  label: string;
  members: GraphNode[];
}

/** Resource group (or application, when the view is of one) is the unit an operator thinks in. */
export function clusterOf(n: GraphNode, byApplication: boolean): { id: string; label: string } {
  if (n.external) return { id: 'cluster:external', label: 'external' };
  if (byApplication && n.application) return { id: `cluster:app:${n.application}`, label: n.application };
  if (n.resourceGroup)
    return {
      id: `cluster:${(n.subscriptionId ?? '').toLowerCase()}/${n.resourceGroup.toLowerCase()}`,
      label: n.resourceGroup,
    };
  return { id: 'cluster:other', label: 'other' };
}

export function clusters(nodes: GraphNode[], byApplication: boolean): Cluster[] {
  const map = new Map<string, Cluster>();
  for (const n of nodes) {
    const c = clusterOf(n, byApplication);
    let cluster = map.get(c.id);
    if (!cluster) map.set(c.id, (cluster = { ...c, members: [] }));
    cluster.members.push(n);
  }
  return [...map.values()].sort(
    (a, b) => b.members.length - a.members.length || a.label.localeCompare(b.label),
  );
}

/**
 * Positions for a large graph, computed in one linear pass: each cluster a square grid of its
 * members (sorted by type, so like sits with like), clusters packed in shelves. A force layout
 * of 10,000 nodes takes tens of seconds in a browser; this takes milliseconds and keeps
 * clusters apart, and the force layout is kept for graphs small enough for it.
 */
export function gridClusterPositions(
  groups: Cluster[],
  spacing = 60,
  gap = 120,
): Map<string, { x: number; y: number }> {
  const positions = new Map<string, { x: number; y: number }>();
  const total = groups.reduce((s, c) => s + c.members.length, 0);
  const rowWidth = Math.max(Math.sqrt(total) * spacing * 1.6, spacing * 10);
  let x = 0;
  let y = 0;
  let shelfHeight = 0;
  for (const c of groups) {
    const side = Math.ceil(Math.sqrt(c.members.length));
    const width = side * spacing;
    const height = Math.ceil(c.members.length / side) * spacing;
    if (x > 0 && x + width > rowWidth) {
      x = 0;
      y += shelfHeight + gap;
      shelfHeight = 0;
    }
    const members = [...c.members].sort(
      (a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name),
    );
    members.forEach((n, i) => {
      positions.set(n.id, { x: x + (i % side) * spacing, y: y + Math.floor(i / side) * spacing });
    });
    x += width + gap;
    shelfHeight = Math.max(shelfHeight, height);
  }
  return positions;
}
