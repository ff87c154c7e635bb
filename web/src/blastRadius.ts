import { api, query } from './api';
import type { ClusterGraph } from './ClusterGraph';
import type { DetailsActions } from './detailsPanel';
import { h, shortName } from './dom';
import type { Edge } from './types';

/**
 * Past this many resources to draw, the blast radius marks the clusters it reaches instead of
 * opening them all (each opened member is a node to draw and lay out).
 */
const MAX_OPENED_MEMBERS = 3000;

/**
 * Everything that depends on the node, transitively (the API walks up to 10 hops, cycle-safe):
 * the clusters holding it opened (up to MAX_OPENED_MEMBERS), the affected resources and the edges
 * between them drawn in red, the clusters they are in marked, and the list in the panel.
 */
export async function showBlastRadius(
  graph: ClusterGraph,
  id: string,
  out: HTMLElement,
  actions: DetailsActions,
): Promise<void> {
  const cy = graph.cy;
  cy.remove('edge.blast');
  cy.elements('.blast, .blast-root').removeClass('blast blast-root');
  const walk = await api<{ items: Edge[] }>(
    `/dependencies${query({ resourceId: id, direction: 'in', depth: 10 })}`,
  );
  const affected = new Set(walk.items.map((e) => e.sourceId));
  affected.delete(id);
  const clusters = new Set<string>();
  for (const a of [id, ...affected]) {
    const c = graph.model.clusterOfNode.get(a.toLowerCase());
    if (c) clusters.add(c);
  }
  let toOpen = 0;
  for (const c of clusters)
    if (!graph.isExpanded(c)) toOpen += graph.model.clusterById.get(c)?.members.length ?? 0;
  cy.batch(() => {
    if (toOpen <= MAX_OPENED_MEMBERS) for (const c of clusters) graph.expand(c);
    for (const c of clusters) cy.getElementById(c).addClass('blast');
    for (const a of affected)
      cy.getElementById(graph.model.nodeById.get(a.toLowerCase())?.id ?? a).addClass('blast');
    cy.getElementById(graph.model.nodeById.get(id.toLowerCase())?.id ?? id).addClass('blast-root');
    graph.drawEdges(walk.items, 'blast');
  });
  out.replaceChildren(
    h(
      'p',
      { 'data-testid': 'blast-count', 'data-count': String(affected.size) },
      `${affected.size} resources in ${clusters.size} clusters depend on it`,
    ),
    h(
      'ul',
      {},
      ...[...affected].map((a) => {
        const link = h('a', { class: 'node-link' }, actions.labelOf(a) ?? shortName(a));
        link.addEventListener('click', () => actions.focus(a));
        return h('li', { 'data-blast-id': a }, link);
      }),
    ),
  );
}
