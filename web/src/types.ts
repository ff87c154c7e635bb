/** The API's shapes as the page reads them (the OpenAPI document at /api/openapi.json has them all). */
export interface GraphNode {
  id: string;
  name: string;
  type: string;
  external: boolean;
  subscriptionId?: string;
  resourceGroup?: string;
  key?: string;
  application?: string;
}

export interface Edge {
  sourceId: string;
  targetId: string;
  category: 'network' | 'data' | 'configuration' | 'compute';
  strength: number;
  method: string;
  evidence: string;
  depth?: number;
}

export interface Graph {
  nodes: GraphNode[];
  edges: Edge[];
}

export interface Resource {
  id: string;
  key: string;
  name: string;
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  status: string;
  environment: string | null;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
  lastSeenAt: string;
  discoveredAt?: string;
  /** The fields below come with the live map (issue 19); the page shows them when present. */
  firstSeenAt?: string;
  refreshedAt?: string;
  changedBy?: string;
  dependencies?: { outgoing: Edge[]; incoming: Edge[] };
}

export interface Scan {
  scanId: string;
  status: 'queued' | 'running' | 'completed' | 'partial' | 'failed';
  trigger: string;
  startedAt: string;
  completedAt?: string;
  tasks: { total: number; completed: number; failed: number; skipped: number; pending: number };
  pages: number;
  counts: { resources: number; dependencies: number; added: number; modified: number; removed: number };
  errors: Array<{ code: string; count: number; message: string }>;
}

export interface Change {
  scanId: string;
  at: string;
  kind: string;
  resourceId: string;
  targetId?: string;
  method?: string;
  type: string;
  name: string;
  paths?: Array<{ path: string; old?: unknown; new?: unknown; redacted?: true }>;
  /** Present once events feed the change log (issue 19): who and what caused it. */
  trigger?: 'scan' | 'event' | string;
  actor?: string;
  operation?: string;
  correlationId?: string;
}
