import { api, query } from './api';
import { formatTime, h, shortName } from './dom';
import { keyProperties } from './keyProperties';
import type { Edge, GraphNode, Resource } from './types';

export interface DetailsActions {
  /** Goes to another node of the graph (expanding its cluster). */
  focus(id: string): void;
  /** The label a node id is drawn with, when the graph has it. */
  labelOf(id: string): string | undefined;
  blastRadius(id: string, out: HTMLElement): void;
}

const CATEGORIES: Edge['category'][] = ['network', 'data', 'configuration', 'compute'];

function table(testId: string, rows: Array<[string, string]>): HTMLElement {
  return h(
    'table',
    { class: 'kv', 'data-testid': testId },
    h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))),
  );
}

/**
 * A node's edges grouped by category, each with how it was found (method) and the evidence (the
 * setting name, the reference path), and a link to the other end.
 */
function edgeGroups(outgoing: Edge[], incoming: Edge[], actions: DetailsActions): HTMLElement[] {
  const all = [
    ...outgoing.map((e) => ({ e, direction: 'out' as const, other: e.targetId })),
    ...incoming.map((e) => ({ e, direction: 'in' as const, other: e.sourceId })),
  ];
  if (!all.length)
    return [h('p', { class: 'muted', 'data-testid': 'no-edges' }, 'No dependency either way.')];
  return CATEGORIES.flatMap((category) => {
    const inCategory = all.filter((x) => x.e.category === category);
    if (!inCategory.length) return [];
    return [
      h('h5', { class: `category ${category}` }, `${category} (${inCategory.length})`),
      h(
        'ul',
        { 'data-testid': `edges-${category}` },
        ...inCategory.map(({ e, direction, other }) => {
          const link = h(
            'a',
            { class: 'node-link', 'data-node-id': other, href: `#graph${query({ node: other })}` },
            actions.labelOf(other) ?? shortName(other),
          );
          link.addEventListener('click', (ev) => {
            ev.preventDefault();
            actions.focus(other);
          });
          return h(
            'li',
            { 'data-edge-end': other, 'data-direction': direction, 'data-evidence': e.evidence },
            h('span', { class: 'muted' }, direction === 'out' ? 'depends on ' : 'used by '),
            link,
            h('div', { class: 'muted evidence' }, `${e.method} · ${e.evidence}`),
          );
        }),
      ),
    ];
  });
}

/** The side panel of a resource: what it is, where it belongs, when it was seen, what it joins. */
export async function renderNodeDetails(
  panel: HTMLElement,
  node: GraphNode,
  actions: DetailsActions,
): Promise<void> {
  panel.replaceChildren(h('h3', {}, node.name), h('p', { class: 'muted' }, 'loading…'));
  let resource: Resource | undefined;
  let outgoing: Edge[];
  let incoming: Edge[];
  if (node.key) {
    resource = await api<Resource>(`/resources/${encodeURIComponent(node.key)}`);
    outgoing = resource.dependencies?.outgoing ?? [];
    incoming = resource.dependencies?.incoming ?? [];
  } else {
    // Subnets and external hosts are not inventory items: their edges come from the graph's store.
    const [out, inc] = await Promise.all([
      api<{ items: Edge[] }>(`/dependencies${query({ resourceId: node.id, direction: 'out' })}`),
      api<{ items: Edge[] }>(`/dependencies${query({ resourceId: node.id, direction: 'in' })}`),
    ]);
    outgoing = out.items;
    incoming = inc.items;
  }
  const blastResult = h('div', { 'data-testid': 'blast-result' });
  const blastButton = h('button', { class: 'primary', 'data-testid': 'blast-button' }, 'Blast radius');
  blastButton.addEventListener('click', () => actions.blastRadius(node.id, blastResult));
  const facts: Array<[string, string]> = [['type', node.type]];
  if (node.application) facts.push(['application', node.application]);
  if (resource) {
    facts.push(
      ['group', resource.resourceGroup],
      ['location', resource.location],
      ['status', resource.status],
    );
    if (resource.environment) facts.push(['environment', resource.environment]);
    facts.push(
      ['first seen', formatTime(resource.firstSeenAt ?? resource.discoveredAt)],
      ['last refreshed', formatTime(resource.refreshedAt ?? resource.lastSeenAt)],
    );
    if (resource.changedBy) facts.push(['last changed by', resource.changedBy]);
  }
  const key = resource ? keyProperties(resource.type, resource.properties) : [];
  const tags = Object.entries(resource?.tags ?? {});
  panel.replaceChildren(
    h('h3', { 'data-testid': 'details-name' }, node.name),
    h('p', { class: 'muted', 'data-testid': 'details-id' }, node.id),
    table('details-facts', facts),
    ...(key.length ? [h('h4', {}, 'Key properties'), table('details-properties', key)] : []),
    ...(tags.length ? [h('h4', {}, `Tags (${tags.length})`), table('details-tags', tags)] : []),
    h('h4', {}, `Dependencies (${outgoing.length} out, ${incoming.length} in)`),
    ...edgeGroups(outgoing, incoming, actions),
    blastButton,
    blastResult,
    ...(resource
      ? [
          h(
            'details',
            {},
            h('summary', {}, 'All properties'),
            h('pre', {}, JSON.stringify(resource.properties, null, 2)),
          ),
        ]
      : []),
  );
}
