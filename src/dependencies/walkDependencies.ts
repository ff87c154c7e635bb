import type { Edge } from './Edge';

export type Direction = 'out' | 'in';

export interface WalkedEdge extends Edge {
  /** Hops from the asked resource: 1 for its own edges. */
  depth: number;
}

/**
 * Breadth-first walk from `startId`, `out` (what it depends on) or `in` (what depends on it: the
 * blast radius), up to `maxDepth` hops. Each node is expanded once, so cycles end the walk; each
 * edge is reported once, at the depth it was first reached.
 */
export async function walkDependencies(
  startId: string,
  direction: Direction,
  maxDepth: number,
  edgesOf: (id: string) => Promise<Edge[]>,
): Promise<WalkedEdge[]> {
  const visited = new Set([startId.toLowerCase()]);
  const out: WalkedEdge[] = [];
  let frontier = [startId];
  for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
    const next: string[] = [];
    const lists = await Promise.all(frontier.map((id) => edgesOf(id)));
    for (const list of lists) {
      for (const e of list) {
        out.push({ ...e, depth });
        const far = direction === 'out' ? e.targetId : e.sourceId;
        if (!visited.has(far.toLowerCase())) {
          visited.add(far.toLowerCase());
          next.push(far);
        }
      }
    }
    frontier = next;
  }
  return out;
}
