import type { TableClient } from '@azure/data-tables';
import type { ChangeLog } from '../changes/ChangeLog';
import type { ChangeItem } from '../changes/ChangeItem';
import { parseResourceId } from '../discovery/Resource';
import { entityToResource } from '../storage/resourceEntity';
import { detectDependencies } from './detectDependencies';
import type { DependencyStore } from './DependencyStore';
import type { Edge } from './Edge';
import { ResourceIndex, type IndexedResource } from './ResourceIndex';
import { APPLICATION_TYPE, applicationNodeId } from './applicationRules';

export interface DependencyCounts {
  dependencies: number;
  edgesAdded: number;
  edgesRemoved: number;
}

export interface UpdateDependenciesDeps {
  resources: TableClient;
  /** The inferred applications (a port: Azure DevOps discovery stores them); absent when it is off. */
  applications?: () => Promise<ApplicationLinks[]>;
  store: DependencyStore;
  changes: ChangeLog;
  heuristics: boolean;
}

/** What the graph needs of an inferred application. */
export interface ApplicationLinks {
  name: string;
  environment: string;
  resourceIds: string[];
  repositoryIds: string[];
  deploymentIds: number[];
}

/** Every stored resource, and every inferred application, as the rules read them. */
export async function loadIndex(
  resources: TableClient,
  applications?: () => Promise<ApplicationLinks[]>,
): Promise<ResourceIndex> {
  const items: IndexedResource[] = [];
  for await (const e of resources.listEntities()) {
    if (typeof e.id !== 'string' || !e.id) continue;
    items.push(entityToResource(e));
  }
  if (applications) {
    for (const a of await applications()) {
      items.push({
        id: applicationNodeId(a.environment, a.name),
        name: a.name,
        type: APPLICATION_TYPE,
        subscriptionId: '',
        resourceGroup: '',
        tags: {},
        properties: {
          resourceIds: a.resourceIds,
          repositoryIds: a.repositoryIds,
          deploymentIds: a.deploymentIds,
        },
      });
    }
  }
  return new ResourceIndex(items);
}

/**
 * Finalize's dependency step: detect over the whole inventory (a failed task's rows are still
 * there, so its edges stay), record added/removed edges as changes, then store the graph.
 * Safe to retry at any line: the changes are written before the graph, both keyed by what they
 * say, and once the graph names this scan a retry reports the counts it stored.
 */
export async function updateDependencies(
  deps: UpdateDependenciesDeps,
  scanId: string,
  at: string,
): Promise<DependencyCounts> {
  const meta = await deps.store.meta();
  if (meta?.scanId === scanId)
    return { dependencies: meta.edges, edgesAdded: meta.added, edgesRemoved: meta.removed };
  const index = await loadIndex(deps.resources, deps.applications);
  const edges = detectDependencies(index, { heuristics: deps.heuristics });
  const diff = await deps.store.diff(edges, scanId);
  const nameOf = (id: string) => index.node(id).name;
  const change = (e: Edge, kind: 'edgeAdded' | 'edgeRemoved'): ChangeItem => ({
    scanId,
    at,
    kind,
    resourceId: e.sourceId,
    targetId: e.targetId,
    method: e.method,
    type: index.node(e.sourceId).type,
    name: nameOf(e.sourceId),
    subscriptionId: parseResourceId(e.sourceId)?.subscriptionId,
  });
  await deps.changes.record([
    ...diff.added.map((e) => change(e, 'edgeAdded')),
    ...diff.removed.map((e) => change(e, 'edgeRemoved')),
  ]);
  await deps.store.apply(diff, scanId, at);
  return { dependencies: diff.total, edgesAdded: diff.added.length, edgesRemoved: diff.removed.length };
}
