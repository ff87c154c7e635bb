import type cytoscape from 'cytoscape';
import type { Edge, GraphNode } from './types';

export const CATEGORY_COLOURS: Record<Edge['category'], string> = {
  network: '#2e7d32',
  data: '#ef6c00',
  configuration: '#8e24aa',
  compute: '#1565c0',
};

/** Fill per provider family, so a glance tells compute from network from the rest. */
const FAMILY_COLOURS = { compute: '#1e88e5', network: '#43a047', web: '#8e24aa', other: '#fb8c00' } as const;

/**
 * A resource's family, drawn as a class (`family-compute`): a class style costs nothing per node,
 * where a `data(...)` mapper is evaluated for each one as it is added.
 */
export function nodeFamily(n: GraphNode): keyof typeof FAMILY_COLOURS {
  const t = n.type.toLowerCase();
  if (t.startsWith('microsoft.compute') || t.startsWith('microsoft.containerservice')) return 'compute';
  if (t.startsWith('microsoft.network')) return 'network';
  if (t.startsWith('microsoft.web')) return 'web';
  return 'other';
}

/**
 * The look of the clustered graph. Resource labels hide below a readable size on screen
 * (min-zoomed-font-size, in pixels), so a zoomed-out expanded cluster does not measure hundreds of labels.
 */
export function clusterGraphStyle(): cytoscape.StylesheetJson {
  return [
    {
      selector: 'node.cluster',
      style: {
        shape: 'round-rectangle',
        width: 'data(size)',
        height: 'data(size)',
        'background-color': '#dce6f7',
        'border-color': '#7086b3',
        'border-width': 2,
        label: 'data(label)',
        'text-valign': 'bottom',
        'text-margin-y': 4,
        'font-size': 13,
        'font-weight': 'bold',
        color: '#27314a',
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.8,
        'text-background-padding': '2px',
      },
    },
    {
      selector: 'node.cluster.kind-resourceGroup',
      style: { 'background-color': '#eceff4', 'border-style': 'dashed' },
    },
    {
      selector: 'node.cluster.kind-external',
      style: { 'background-color': '#f3f3f3', 'border-color': '#9e9e9e' },
    },
    {
      selector: 'node.cluster.expanded',
      style: {
        'background-color': '#f7f9fd',
        'background-opacity': 0.9,
        width: 'data(roomWidth)',
        height: 'data(roomHeight)',
        'text-valign': 'top',
        'text-margin-y': -4,
        // Behind its members and their edges (added after it: drawn in that order when compared
        // by z-index, where nodes would otherwise come above every edge).
        'z-index-compare': 'manual',
      },
    },
    {
      selector: 'node.resource',
      style: {
        'background-color': FAMILY_COLOURS.other,
        width: 18,
        height: 18,
        label: 'data(label)',
        'font-size': 9,
        'min-zoomed-font-size': 7,
        'text-valign': 'bottom',
        'text-margin-y': 2,
      },
    },
    ...Object.entries(FAMILY_COLOURS).map(([family, colour]) => ({
      selector: `node.family-${family}`,
      style: { 'background-color': colour },
    })),
    {
      selector: 'node.resource.external',
      style: {
        shape: 'diamond',
        'background-color': '#9e9e9e',
        'border-width': 2,
        'border-style': 'dashed',
        'border-color': '#616161',
      },
    },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': '#777',
        'target-arrow-color': '#777',
        'target-arrow-shape': 'triangle',
        'curve-style': 'bezier',
        'arrow-scale': 0.8,
      },
    },
    {
      selector: 'edge.aggregate',
      style: {
        width: 'data(width)',
        'line-opacity': 0.75,
        // Under every node, an open cluster's frame too: the line ends at its border.
        'z-compound-depth': 'bottom',
        'target-arrow-shape': 'none',
        label: 'data(label)',
        'font-size': 11,
        'text-background-color': '#ffffff',
        'text-background-opacity': 0.9,
        'text-background-padding': '2px',
      },
    },
    // Inside an open cluster: straight lines, cheaper than bundled curves at hundreds of edges.
    { selector: 'edge.member', style: { 'curve-style': 'straight' } },
    { selector: 'edge.dense', style: { 'curve-style': 'haystack', 'target-arrow-shape': 'none' } },
    ...Object.entries(CATEGORY_COLOURS).map(([category, colour]) => ({
      selector: `edge.${category}`,
      style: { 'line-color': colour, 'target-arrow-color': colour },
    })),
    { selector: 'node:selected', style: { 'border-width': 3, 'border-color': '#1d2330' } },
    {
      selector: 'node.blast',
      style: { 'background-color': '#e53935', 'border-width': 3, 'border-color': '#b71c1c' },
    },
    { selector: 'node.cluster.blast', style: { 'background-color': '#fde0df', 'border-color': '#e53935' } },
    {
      selector: 'node.blast-root',
      style: { 'background-color': '#1d2330', 'border-width': 4, 'border-color': '#e53935' },
    },
    {
      selector: 'edge.blast',
      style: { 'line-color': '#e53935', 'target-arrow-color': '#e53935', width: 3 },
    },
  ];
}
