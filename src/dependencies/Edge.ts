/** A dependency: `sourceId` depends on `targetId` (the arrow points at what would break it). */
export type EdgeCategory = 'network' | 'data' | 'configuration' | 'compute';

/** How an edge was found. `heuristic` marks a guess (off unless TOPDECK_HEURISTIC_EDGES is on). */
export type EdgeMethod =
  | 'arm-reference'
  | 'connection-string'
  | 'app-setting'
  | 'keyvault-reference'
  | 'private-link'
  | 'tag'
  | 'naming'
  | 'heuristic'
  /** A Kubernetes object's reference by name (volumeName, serviceAccountName, a backend service) */
  | 'kubernetes-reference'
  /** A Service's label selector matching a workload's pod labels */
  | 'kubernetes-selector';

export interface Edge {
  sourceId: string;
  targetId: string;
  category: EdgeCategory;
  /** 0..1: 1 = the source cannot work without the target. */
  strength: number;
  method: EdgeMethod;
  /** The property path or setting *name* the edge was read from; never a value. */
  evidence: string;
  firstSeenScanId?: string;
  lastSeenScanId?: string;
}

/** Edges are identified by their two ends and how they were found (ends compared case-insensitively). */
export function edgeIdentity(e: Pick<Edge, 'sourceId' | 'targetId' | 'method'>): string {
  return `${e.sourceId.toLowerCase()}\n${e.targetId.toLowerCase()}\n${e.method}`;
}

/** The id of a graph node for a host that no discovered resource owns. */
export function externalNodeId(host: string): string {
  return `external:${host.toLowerCase()}`;
}

export function isExternalId(id: string): boolean {
  return id.startsWith('external:');
}
