import type { ClusterGraph } from './ClusterGraph';
import { h } from './dom';

/** The side panel of a cluster: what it holds by type, what it is joined to, open/close. */
export function clusterPanel(graph: ClusterGraph, clusterId: string): HTMLElement {
  const cluster = graph.model.clusterById.get(clusterId);
  if (!cluster) return h('p', { class: 'error' }, `no cluster ${clusterId}`);
  const byType = new Map<string, number>();
  for (const m of cluster.members) byType.set(m.type, (byType.get(m.type) ?? 0) + 1);
  const joined = graph.model.aggregates
    .filter((a) => a.source === clusterId || a.target === clusterId)
    .map((a) => ({
      other: a.source === clusterId ? a.target : a.source,
      count: a.count,
      category: a.category,
    }))
    .sort((a, b) => b.count - a.count);
  const expanded = graph.isExpanded(clusterId);
  const toggle = h(
    'button',
    { class: 'primary', type: 'button', 'data-testid': 'cluster-toggle' },
    expanded ? 'Close' : 'Open',
  );
  const panel = h(
    'div',
    { 'data-testid': 'cluster-details', 'data-cluster-id': clusterId },
    h('h3', {}, cluster.name),
    h(
      'p',
      { class: 'muted' },
      `${cluster.kind === 'application' ? 'application' : cluster.kind === 'resourceGroup' ? 'resource group' : cluster.kind} · ${cluster.members.length} resources`,
    ),
    toggle,
    h('h4', {}, 'By type'),
    h('ul', {}, ...[...byType].sort((a, b) => b[1] - a[1]).map(([type, n]) => h('li', {}, `${n} × ${type}`))),
    h('h4', {}, `Joined to (${joined.length})`),
    joined.length
      ? h(
          'ul',
          {},
          ...joined.map((j) =>
            h(
              'li',
              {},
              `${graph.model.clusterById.get(j.other)?.name ?? j.other}: ${j.count} dependencies, mostly ${j.category}`,
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'nothing outside it'),
  );
  toggle.addEventListener('click', () => {
    if (graph.isExpanded(clusterId)) graph.collapse(clusterId);
    else graph.expand(clusterId);
    panel.replaceWith(clusterPanel(graph, clusterId));
  });
  return panel;
}
