import type { NodeSingular } from 'cytoscape';
import { api } from './api';
import { ClusterGraph } from './ClusterGraph';
import type { GraphSnapshot, TopDeckHandle } from './GraphSnapshot';
import { CATEGORY_COLOURS } from './clusterGraphStyle';
import { buildClusterModel } from './clusterModel';
import { clusterPanel } from './clusterPanel';
import { renderNodeDetails, type DetailsActions } from './detailsPanel';
import { h } from './dom';
import { showBlastRadius } from './blastRadius';
import { applyFilters, choices, FILTER_FIELDS, hasFilters, type GraphFilters } from './graphFilters';
import { searchBox } from './searchBox';
import type { Graph } from './types';

/** What the tests and the benchmark read: what is drawn and when the first frame was. */
export interface GraphState {
  graph?: ClusterGraph;
  cy?: ClusterGraph['cy'];
  /** Resources (and derived nodes) in the filtered graph, and their edges. */
  nodes: number;
  edges: number;
  loadStartedAt?: number;
  /** From asking for /api/graph to having its answer parsed, in milliseconds. */
  answerMs?: number;
  /** From asking for /api/graph to the first frame drawn, in milliseconds. */
  firstRenderMs?: number;
  /** The same as firstRenderMs: the clustered overview is whole in its first frame. */
  completeMs?: number;
  /** The first frame, in milliseconds since the page's navigation started. */
  firstFrameAt?: number;
}

declare global {
  interface Window {
    topdeckGraph?: GraphState;
    topdeck?: TopDeckHandle;
  }
}

export type GraphScope = GraphFilters & { node?: string };

/** Longest gap between the clicks of a double-click, in milliseconds (cytoscape's dbltap uses 500). */
const DOUBLE_CLICK_MS = 500;

const EMPTY_VIEW: GraphSnapshot = { nodes: [], edges: [], clusters: [], expanded: [], selected: null };

const LABELS: Record<keyof GraphFilters, string> = {
  subscriptionId: 'Subscription',
  resourceGroup: 'Resource group',
  application: 'Application',
  type: 'Type',
};

/**
 * The graph view: the estate as clusters (applications, else resource groups), filters that
 * narrow what is clustered, a search box over the whole inventory, and a details panel.
 */
export function renderGraphView(root: HTMLElement, scope: GraphScope): void {
  const state: GraphState = { nodes: 0, edges: 0 };
  window.topdeckGraph = state;
  window.topdeck = {
    view: () => state.graph?.view() ?? EMPTY_VIEW,
    expand: (id) => state.graph?.expand(id) ?? false,
    collapse: (id) => state.graph?.collapse(id) ?? false,
    focus: (id) => Boolean(focus(id)),
  };
  const filters: GraphFilters = {};
  for (const k of FILTER_FIELDS) if (scope[k]) filters[k] = scope[k];
  const selects = Object.fromEntries(
    FILTER_FIELDS.map((k) => [
      k,
      h('select', { name: k, 'data-testid': `graph-filter-${k}` }, h('option', { value: '' }, 'all')),
    ]),
  ) as Record<keyof GraphFilters, HTMLSelectElement>;
  const summary = h('span', { class: 'muted', 'data-testid': 'graph-summary' });
  const collapseAll = h('button', { type: 'button', 'data-testid': 'collapse-all' }, 'Collapse all');
  const form = h(
    'form',
    { class: 'filters' },
    ...FILTER_FIELDS.map((k) => h('label', {}, LABELS[k], selects[k])),
    h(
      'label',
      {},
      'Find',
      searchBox((id) => void focus(id, true)),
    ),
    collapseAll,
    summary,
  );
  form.addEventListener('submit', (e) => e.preventDefault());
  const legend = h(
    'div',
    { class: 'legend' },
    ...Object.entries(CATEGORY_COLOURS).map(([c, colour]) =>
      h('span', {}, h('i', { style: `background:${colour}` }), c),
    ),
    h(
      'span',
      { class: 'muted' },
      'Boxes are applications (solid) or resource groups (dashed), with how many resources they hold; a line between two is how many dependencies join them. Click a box to open it, double-click it to close it.',
    ),
  );
  const container = h('div', { id: 'cy', 'data-testid': 'graph' });
  const details = h(
    'aside',
    { class: 'details', 'data-testid': 'details' },
    h(
      'p',
      { class: 'muted' },
      'Click a box to open it, a resource for its details, or find one by name above.',
    ),
  );
  root.replaceChildren(form, legend, h('div', { class: 'graph-layout' }, container, details));

  let whole: Graph | undefined;
  const actions: DetailsActions = {
    focus: (id) => void focus(id, true),
    labelOf: (id) => {
      const n = state.graph?.model.nodeById.get(id.toLowerCase());
      return n?.name;
    },
    blastRadius: (id, out) => {
      if (state.graph) void showBlastRadius(state.graph, id, out, actions);
    },
  };

  function showDetails(n: NodeSingular): void {
    const node = state.graph?.model.nodeById.get(n.id().toLowerCase());
    if (!node) return;
    renderNodeDetails(details, node, actions).catch((e: Error) => {
      details.replaceChildren(h('p', { class: 'error' }, `Could not load ${node.name}: ${e.message}`));
    });
  }

  /** Selects a node, expanding its cluster; clears the filters first if they hide it. */
  function focus(id: string, showPanel = true): NodeSingular | undefined {
    const graph = state.graph;
    if (!graph || !whole) return undefined;
    if (!graph.model.nodeById.has(id.toLowerCase()) && hasFilters(filters)) {
      for (const k of FILTER_FIELDS) delete filters[k];
      draw();
    }
    const n = state.graph?.focus(id);
    if (!n) {
      details.replaceChildren(
        h('p', { class: 'error' }, `${id} is not in the graph (a scan after it was created will add it).`),
      );
      return undefined;
    }
    if (showPanel) showDetails(n);
    return n;
  }

  function draw(): void {
    if (!whole) return;
    state.graph?.cy.destroy();
    for (const k of FILTER_FIELDS) selects[k].value = filters[k] ?? '';
    const shown = applyFilters(whole, filters);
    const model = buildClusterModel(shown);
    const graph = new ClusterGraph(container, model);
    state.graph = graph;
    state.cy = graph.cy;
    state.nodes = shown.nodes.length;
    state.edges = shown.edges.length;
    summary.textContent = `${model.clusters.length} clusters of ${shown.nodes.length} resources, ${shown.edges.length} dependencies`;
    summary.dataset.nodes = String(shown.nodes.length);
    summary.dataset.clusters = String(model.clusters.length);
    const cy = graph.cy;
    // A double-click's first click opens a closed cluster: its double-click must not close it again.
    let openedAt = { id: '', at: 0 };
    cy.on('tap', 'node.cluster', (e) => {
      const id = (e.target as NodeSingular).id();
      if (!graph.isExpanded(id) && graph.expand(id)) {
        openedAt = { id, at: performance.now() };
        cy.animate({ fit: { eles: cy.getElementById(id), padding: 40 } }, { duration: 250 });
      }
      details.replaceChildren(clusterPanel(graph, id));
    });
    cy.on('dbltap', 'node.cluster', (e) => {
      const id = (e.target as NodeSingular).id();
      if (openedAt.id === id && performance.now() - openedAt.at < DOUBLE_CLICK_MS) return;
      if (graph.isExpanded(id) && graph.collapse(id)) details.replaceChildren(clusterPanel(graph, id));
    });
    cy.on('tap', 'node.resource', (e) => showDetails(e.target as NodeSingular));
    cy.on('tap', (e) => {
      if (e.target !== cy) return;
      cy.remove('edge.blast');
      cy.elements('.blast, .blast-root').removeClass('blast blast-root');
    });
  }

  for (const k of FILTER_FIELDS)
    selects[k].addEventListener('change', () => {
      if (selects[k].value) filters[k] = selects[k].value;
      else delete filters[k];
      const params = new URLSearchParams(
        Object.entries(filters).filter((kv): kv is [string, string] => Boolean(kv[1])),
      );
      history.replaceState(null, '', `#graph${params.size ? `?${params}` : ''}`);
      draw();
    });
  collapseAll.addEventListener('click', () => state.graph?.collapseAll());

  state.loadStartedAt = performance.now();
  summary.textContent = 'loading…';
  void api<Graph>('/graph')
    .then((graph) => {
      if (state.loadStartedAt !== undefined) state.answerMs = performance.now() - state.loadStartedAt;
      whole = graph;
      for (const k of FILTER_FIELDS)
        selects[k].append(...choices(graph, k).map((v) => h('option', { value: v }, v)));
      draw();
      state.graph?.cy.one('render', () => {
        state.firstFrameAt = performance.now();
        if (state.loadStartedAt !== undefined) {
          state.firstRenderMs = state.firstFrameAt - state.loadStartedAt;
          state.completeMs = state.firstRenderMs;
        }
        container.dataset.rendered = 'true';
        container.dataset.complete = 'true';
      });
      if (scope.node) focus(scope.node);
    })
    .catch((e: Error) => {
      summary.textContent = '';
      details.replaceChildren(h('p', { class: 'error' }, `Could not load the graph: ${e.message}`));
    });
}
