import cytoscape, { type Core, type ElementDefinition, type NodeSingular } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { api, query } from './api';
import { clusters, gridClusterPositions } from './clusterLayout';
import { h, shortName } from './dom';
import type { Edge, Graph, GraphNode, Resource } from './types';

cytoscape.use(fcose);

export const CATEGORY_COLOURS: Record<Edge['category'], string> = {
  network: '#2e7d32',
  data: '#ef6c00',
  configuration: '#8e24aa',
  compute: '#1565c0',
};

/** Above this many nodes the force layout is too slow for a first render; clustered grid instead. */
const FORCE_LAYOUT_MAX_NODES = 400;

/**
 * Up to this many edges a large graph draws them all in its first frame (a few thousand cost a
 * few hundred milliseconds); above it, the overview is the nodes, and the edges of the nodes in
 * view are drawn once zoomed in. `window.topdeckOverviewMaxEdges`, set before the page loads,
 * overrides it (the tests use it; so can a fast workstation).
 */
const OVERVIEW_MAX_EDGES = 5000;

const NODE_SIZE = 18;

const LABEL_STYLE = {
  label: 'data(label)',
  'font-size': 10,
  'min-zoomed-font-size': 10,
  'text-valign': 'bottom',
  'text-margin-y': 2,
} as const;

function typeColour(n: GraphNode): string {
  if (n.external) return '#9e9e9e';
  const t = n.type.toLowerCase();
  if (t.startsWith('microsoft.compute') || t.startsWith('microsoft.containerservice')) return '#1e88e5';
  if (t.startsWith('microsoft.network')) return '#43a047';
  if (t.startsWith('microsoft.web')) return '#8e24aa';
  return '#fb8c00';
}

/** What the tests and the benchmark read: how many nodes are drawn and when the first frame was. */
export interface GraphState {
  cy?: Core;
  nodes: number;
  edges: number;
  loadStartedAt?: number;
  /** From asking for /api/graph to having its answer parsed, in milliseconds. */
  answerMs?: number;
  /** From asking for /api/graph to the first frame drawn, in milliseconds. */
  firstRenderMs?: number;
  /**
   * From asking for /api/graph to everything its first view shows drawn, in milliseconds (all of
   * it is in the first frame; a large graph adds edges later only as the user zooms in).
   */
  completeMs?: number;
  /** The first frame, in milliseconds since the page's navigation started. */
  firstFrameAt?: number;
}

declare global {
  interface Window {
    topdeckGraph?: GraphState;
    topdeckOverviewMaxEdges?: number;
  }
}

export interface GraphScope {
  subscriptionId?: string;
  resourceGroup?: string;
  application?: string;
  node?: string;
}

export function renderGraphView(root: HTMLElement, scope: GraphScope): void {
  const state: GraphState = { nodes: 0, edges: 0 };
  window.topdeckGraph = state;
  const sub = h('input', {
    name: 'subscriptionId',
    placeholder: 'all subscriptions',
    value: scope.subscriptionId ?? '',
  });
  const rg = h('input', {
    name: 'resourceGroup',
    placeholder: 'all resource groups',
    value: scope.resourceGroup ?? '',
  });
  const app = h('input', {
    name: 'application',
    placeholder: 'all applications',
    value: scope.application ?? '',
  });
  const summary = h('span', { class: 'muted', 'data-testid': 'graph-summary' });
  const form = h(
    'form',
    { class: 'filters' },
    h('label', {}, 'Subscription', sub),
    h('label', {}, 'Resource group', rg),
    h('label', {}, 'Application', app),
    h('button', { class: 'primary' }, 'Show'),
    summary,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    location.hash = `#graph${query({ subscriptionId: sub.value.trim(), resourceGroup: rg.value.trim(), application: app.value.trim() })}`;
  });
  const legend = h(
    'div',
    { class: 'legend' },
    ...Object.entries(CATEGORY_COLOURS).map(([c, colour]) =>
      h('span', {}, h('i', { style: `background:${colour}` }), c),
    ),
    h('span', {}, h('i', { style: 'background:#9e9e9e' }), 'external (dashed)'),
  );
  const container = h('div', { id: 'cy', 'data-testid': 'graph' });
  const details = h(
    'aside',
    { class: 'details', 'data-testid': 'details' },
    h('p', { class: 'muted' }, 'Click a node for its details and edges.'),
  );
  root.replaceChildren(form, legend, h('div', { class: 'graph-layout' }, container, details));

  state.loadStartedAt = performance.now();
  summary.textContent = 'loading…';
  void api<Graph>(
    `/graph${query({ subscriptionId: scope.subscriptionId, resourceGroup: scope.resourceGroup, application: scope.application })}`,
  )
    .then((graph) => {
      if (state.loadStartedAt !== undefined) state.answerMs = performance.now() - state.loadStartedAt;
      const cy = draw(container, graph, Boolean(scope.application), state);
      summary.textContent = `${state.nodes} nodes, ${state.edges} edges${undrawnEdges.size ? ' (edges shown for the nodes in view once zoomed in)' : ''}`;
      summary.dataset.nodes = String(state.nodes);
      cy.on('tap', 'node.resource', (e) => void showNode(cy, e.target as NodeSingular, details));
      cy.on('tap', (e) => {
        if (e.target === cy) clearHighlight(cy);
      });
      if (scope.node) {
        const n = cy.getElementById(scope.node);
        if (n.nonempty()) {
          cy.animate({ center: { eles: n }, zoom: 1.5 }, { duration: 0 });
          n.select();
          void showNode(cy, n, details);
        }
      }
    })
    .catch((e: Error) => {
      summary.textContent = '';
      details.replaceChildren(h('p', { class: 'error' }, `Could not load the graph: ${e.message}`));
    });
}

function draw(container: HTMLElement, graph: Graph, byApplication: boolean, state: GraphState): Core {
  const groups = clusters(graph.nodes, byApplication);
  const large = graph.nodes.length > FORCE_LAYOUT_MAX_NODES;
  const edgesLater = large && graph.edges.length > (window.topdeckOverviewMaxEdges ?? OVERVIEW_MAX_EDGES);
  const positions = large ? gridClusterPositions(groups) : undefined;
  const elements: ElementDefinition[] = [];
  for (const c of groups) {
    // Compound parents cost seconds at 10,000 nodes (their bounds follow every child): a large
    // graph shows its clusters by position only.
    if (!large) elements.push({ group: 'nodes', data: { id: c.id, label: c.label }, classes: 'cluster' });
    for (const n of c.members) {
      elements.push({
        group: 'nodes',
        data: {
          id: n.id,
          label: n.name,
          ...(large ? {} : { parent: c.id }),
          colour: typeColour(n),
          key: n.key ?? '',
          type: n.type,
        },
        classes: n.external ? 'resource external' : 'resource',
        ...(positions ? { position: positions.get(n.id) } : {}),
      });
    }
  }
  const ids = new Set(graph.nodes.map((n) => n.id));
  let edgeCount = 0;
  edgeIds.clear();
  undrawnEdges.clear();
  edgesByNode.clear();
  for (const e of graph.edges) {
    if (!ids.has(e.sourceId) || !ids.has(e.targetId)) continue;
    edgeCount++;
    // Short ids and a class per category: long ids and per-edge style mappers cost seconds at 14,000 edges.
    const id = `e${edgeCount}`;
    edgeIds.set(`${e.sourceId}|${e.targetId}|${e.method}`, id);
    const edge: ElementDefinition = {
      group: 'edges',
      data: { id, source: e.sourceId, target: e.targetId },
      classes: CATEGORY_COLOURS[e.category] ? e.category : '',
    };
    if (!edgesLater) {
      elements.push(edge);
      continue;
    }
    undrawnEdges.set(id, edge);
    for (const end of [e.sourceId, e.targetId]) {
      const list = edgesByNode.get(end);
      if (list) list.push(id);
      else edgesByNode.set(end, [id]);
    }
  }
  state.nodes = graph.nodes.length;
  state.edges = edgeCount;
  const cy = cytoscape({
    container,
    // Everything the first frame shows in one go (the constructor adds it in one batch), so the
    // renderer builds its layered bitmaps of the graph once, with the first frame, and a pan is a
    // few image copies from then on. Past OVERVIEW_MAX_EDGES the overview is the nodes: 14,000
    // edges would double the first frame (~1.7 s at 10,000 resources), and added afterwards, even
    // in one batch, they invalidate the bitmaps, so that every frame draws 25,000 elements
    // (~300 ms) for seconds. Those edges are drawn for what is in view once zoomed in.
    elements,
    // Large estates, when the user drags or pinches: one cached bitmap, edges hidden meanwhile.
    textureOnViewport: large,
    hideEdgesOnViewport: large,
    pixelRatio: 1,
    minZoom: 0.02,
    maxZoom: 4,
    style: [
      {
        selector: 'node.resource',
        // A large graph labels only what is in view once zoomed in (see labelVisible), and
        // sets no property it does not draw: each one costs a pass over 10,000 nodes.
        style: large
          ? { 'background-color': 'data(colour)', width: NODE_SIZE, height: NODE_SIZE }
          : { 'background-color': 'data(colour)', width: NODE_SIZE, height: NODE_SIZE, ...LABEL_STYLE },
      },
      {
        selector: 'node.external',
        style: { shape: 'diamond', 'border-width': 2, 'border-style': 'dashed', 'border-color': '#616161' },
      },
      {
        selector: 'node.cluster',
        style: {
          'background-color': '#f1f4f9',
          'border-color': '#c5cdd9',
          'border-width': 1,
          label: 'data(label)',
          'text-valign': 'top',
          'font-size': 14,
          'min-zoomed-font-size': 6,
          color: '#44506a',
        },
      },
      {
        selector: 'edge',
        // A large graph: straight haystack lines without arrows, the cheapest edges to draw.
        style: large
          ? { width: 1.5, 'line-color': '#777', 'curve-style': 'haystack' }
          : {
              width: 1.5,
              'line-color': '#777',
              'target-arrow-color': '#777',
              'target-arrow-shape': 'triangle',
              'curve-style': 'bezier',
              'arrow-scale': 0.8,
            },
      },
      ...Object.entries(CATEGORY_COLOURS).map(([category, colour]) => ({
        selector: `edge.${category}`,
        style: large ? { 'line-color': colour } : { 'line-color': colour, 'target-arrow-color': colour },
      })),
      { selector: 'node.labelled', style: LABEL_STYLE },
      { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#1d2330' } },
      {
        selector: 'node.blast',
        style: { 'background-color': '#e53935', 'border-width': 3, 'border-color': '#b71c1c' },
      },
      {
        selector: 'node.blast-root',
        style: { 'background-color': '#1d2330', 'border-width': 4, 'border-color': '#e53935' },
      },
      {
        selector: 'edge.blast',
        style: { 'line-color': '#e53935', 'target-arrow-color': '#e53935', width: 3 },
      },
    ],
    layout: large
      ? { name: 'preset', fit: true, padding: 20 }
      : ({
          name: 'fcose',
          quality: 'default',
          randomize: true,
          animate: false,
          nodeRepulsion: 6000,
          idealEdgeLength: 80,
          padding: 20,
        } as cytoscape.LayoutOptions),
  });
  cy.one('render', () => {
    state.firstFrameAt = performance.now();
    if (state.loadStartedAt !== undefined) {
      state.firstRenderMs = state.firstFrameAt - state.loadStartedAt;
      state.completeMs = state.firstRenderMs;
    }
    container.dataset.rendered = 'true';
    container.dataset.complete = 'true';
  });
  if (large) detailInView(cy);
  state.cy = cy;
  return cy;
}

/** Zoom from which a large graph draws the edges of the nodes in view (0.5: ~800 nodes in view). */
const EDGES_MIN_ZOOM = 0.5;

/** Zoom from which a large graph labels the nodes in view. */
const LABELS_MIN_ZOOM = 0.8;

/**
 * Measuring 10,000 labels and building 14,000 edges cost seconds before the first frame; a
 * large graph draws the edges of the nodes in view, and labels them, once the zoom makes them
 * readable, a moment after the viewport settles. Edges, once drawn, stay.
 */
function detailInView(cy: Core): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = () => {
    const zoom = cy.zoom();
    const e = cy.extent();
    const inView =
      zoom < EDGES_MIN_ZOOM
        ? cy.collection()
        : cy.nodes('.resource').filter((n) => {
            const p = n.position();
            return p.x >= e.x1 && p.x <= e.x2 && p.y >= e.y1 && p.y <= e.y2;
          });
    cy.batch(() => {
      drawEdges(cy, inView.map((n) => edgesByNode.get(n.id()) ?? []).flat());
      cy.nodes('.labelled').removeClass('labelled');
      if (zoom >= LABELS_MIN_ZOOM) inView.addClass('labelled');
    });
  };
  cy.on('viewport', () => {
    clearTimeout(timer);
    timer = setTimeout(settled, 150);
  });
  // The first view too (a deep link to a node zooms in before this is bound).
  cy.one('render', () => {
    timer = setTimeout(settled, 150);
  });
}

/** Adds those of the edges (by element id) a large graph has not drawn yet. */
function drawEdges(cy: Core, ids: Iterable<string>): void {
  const add: ElementDefinition[] = [];
  for (const id of ids) {
    const edge = undrawnEdges.get(id);
    if (!edge) continue;
    undrawnEdges.delete(id);
    add.push(edge);
  }
  if (add.length) cy.add(add);
}

/** A large graph's edges not drawn yet, by element id, and every edge's id by the nodes it joins. */
const undrawnEdges = new Map<string, ElementDefinition>();
const edgesByNode = new Map<string, string[]>();

/** Edge identity (source|target|method) to its short element id in the drawn graph. */
const edgeIds = new Map<string, string>();

function clearHighlight(cy: Core): void {
  cy.elements('.blast, .blast-root').removeClass('blast blast-root');
}

function edgeList(cy: Core, edges: Edge[], end: 'sourceId' | 'targetId', testId: string): HTMLElement {
  if (!edges.length) return h('p', { class: 'muted', 'data-testid': testId }, 'none');
  return h(
    'ul',
    { 'data-testid': testId },
    ...edges.map((e) => {
      const other = e[end];
      const link = h(
        'a',
        { class: 'node-link', 'data-node-id': other },
        cy.getElementById(other).data('label') ?? shortName(other),
      );
      link.addEventListener('click', () => {
        const n = cy.getElementById(other);
        if (n.nonempty()) {
          cy.$(':selected').unselect();
          n.select();
          cy.animate({ center: { eles: n } }, { duration: 200 });
          n.emit('tap');
        }
      });
      return h(
        'li',
        { 'data-edge-end': other },
        link,
        h('span', { class: 'muted' }, ` ${e.category} · ${e.method} · ${e.evidence}`),
      );
    }),
  );
}

async function showNode(cy: Core, node: NodeSingular, panel: HTMLElement): Promise<void> {
  const id = node.id();
  const key = node.data('key') as string;
  panel.replaceChildren(h('h3', {}, node.data('label') as string), h('p', { class: 'muted' }, 'loading…'));
  const [out, inc, resource] = await Promise.all([
    api<{ items: Edge[] }>(`/dependencies${query({ resourceId: id, direction: 'out' })}`),
    api<{ items: Edge[] }>(`/dependencies${query({ resourceId: id, direction: 'in' })}`),
    key ? api<Resource>(`/resources/${encodeURIComponent(key)}`) : Promise.resolve(undefined),
  ]);
  const blastResult = h('div', { 'data-testid': 'blast-result' });
  const blastButton = h('button', { class: 'primary', 'data-testid': 'blast-button' }, 'Blast radius');
  blastButton.addEventListener('click', () => void showBlastRadius(cy, id, blastResult));
  panel.replaceChildren(
    h('h3', { 'data-testid': 'details-name' }, node.data('label') as string),
    h('p', { class: 'muted', 'data-testid': 'details-id' }, id),
    h('p', {}, node.data('type') as string),
    ...(resource
      ? [
          h(
            'p',
            {},
            `${resource.location} · ${resource.status}${resource.environment ? ` · ${resource.environment}` : ''} · group ${resource.resourceGroup}`,
          ),
        ]
      : []),
    h('h4', {}, `Depends on (${out.items.length})`),
    edgeList(cy, out.items, 'targetId', 'outgoing'),
    h('h4', {}, `Depended on by (${inc.items.length})`),
    edgeList(cy, inc.items, 'sourceId', 'incoming'),
    blastButton,
    blastResult,
    ...(resource
      ? [
          h(
            'details',
            {},
            h('summary', {}, 'Properties'),
            h('pre', {}, JSON.stringify(resource.properties, null, 2)),
          ),
        ]
      : []),
  );
}

/** Everything that depends on the node, transitively (the API walks up to 10 hops, cycle-safe). */
async function showBlastRadius(cy: Core, id: string, out: HTMLElement): Promise<void> {
  clearHighlight(cy);
  const walk = await api<{ items: Edge[] }>(
    `/dependencies${query({ resourceId: id, direction: 'in', depth: 10 })}`,
  );
  const affected = new Set(walk.items.map((e) => e.sourceId));
  affected.delete(id);
  cy.getElementById(id).addClass('blast-root');
  for (const a of affected) cy.getElementById(a).addClass('blast');
  const blastEdges = walk.items.flatMap((e) => edgeIds.get(`${e.sourceId}|${e.targetId}|${e.method}`) ?? []);
  // A large graph draws the edges of the blast radius wherever they are.
  drawEdges(cy, blastEdges);
  for (const edgeId of blastEdges) cy.getElementById(edgeId).addClass('blast');
  out.replaceChildren(
    h(
      'p',
      { 'data-testid': 'blast-count', 'data-count': String(affected.size) },
      `${affected.size} resources depend on it`,
    ),
    h(
      'ul',
      {},
      ...[...affected].map((a) =>
        h(
          'li',
          { 'data-blast-id': a },
          (cy.getElementById(a).data('label') as string | undefined) ?? shortName(a),
        ),
      ),
    ),
  );
}
