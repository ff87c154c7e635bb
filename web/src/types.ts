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
  trigger?: 'scan' | 'event';
  actor?: string;
  operation?: string;
  correlationId?: string;
}
