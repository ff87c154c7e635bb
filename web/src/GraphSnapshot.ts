/**
 * What `window.topdeck.view()` answers: the graph as drawn right now (no imports, so that the
 * tests and the benchmark can name it outside the page's bundle).
 */
export interface GraphSnapshot {
  nodes: Array<{ id: string; kind: 'cluster' | 'resource'; label: string; cluster?: string }>;
  edges: Array<{
    id: string;
    source: string;
    target: string;
    kind: 'aggregate' | 'edge' | 'blast';
    category: string;
    count?: number;
  }>;
  clusters: Array<{ id: string; name: string; kind: string; count: number; expanded: boolean }>;
  expanded: string[];
  selected: string | null;
}

/** `window.topdeck`: the graph as drawn, and the moves a person makes, for tests and debugging. */
export interface TopDeckHandle {
  view(): GraphSnapshot;
  expand(clusterId: string): boolean;
  collapse(clusterId: string): boolean;
  focus(id: string): boolean;
}
