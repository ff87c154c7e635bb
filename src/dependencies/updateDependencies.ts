import type { TableClient } from '@azure/data-tables';
import { changeRows, type ChangeLog } from '../changes/ChangeLog';
import type { ChangeItem } from '../changes/ChangeItem';
import { parseResourceId } from '../discovery/Resource';
import { entityToResource } from '../storage/resourceEntity';
import { EdgeDetector } from './detectDependencies';
import { edgeRows, type DependencyStore } from './DependencyStore';
import type { Edge } from './Edge';
import { NodeIndex } from './NodeIndex';
import type { IndexedResource } from './readProperties';
import { PageView, ResourceIndex } from './ResourceIndex';
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
  /** Resources the rules read at a time (1,000, a Table query page, unless a test asks for fewer). */
  pageSize?: number;
  /**
   * Subscriptions whose first scan this is: their new edges are part of the scan's one `baseline`
   * item, not an `edgeAdded` each (an edge from outside a subscription, an application's, follows
   * its target's).
   */
  baseline?: (subscriptionId: string) => boolean;
  /** Each step as it ends, with its counts (debug log lines: the step is long on a large estate). */
  progress?: (step: string, counts: Record<string, number>) => void;
}

/** What the graph needs of an inferred application. */
export interface ApplicationLinks {
  name: string;
  environment: string;
  resourceIds: string[];
  repositoryIds: string[];
  deploymentIds: number[];
}

/** The stored inventory, a page (up to 1,000 resources) at a time, as the rules read it. */
async function* resourcePages(
  resources: TableClient,
  pageSize = 1000,
): AsyncIterableIterator<IndexedResource[]> {
  for await (const page of resources.listEntities().byPage({ maxPageSize: pageSize }))
    yield page.filter((e) => typeof e.id === 'string' && e.id).map(entityToResource);
}

/** The inferred applications as graph nodes. */
async function applicationNodes(
  applications?: () => Promise<ApplicationLinks[]>,
): Promise<IndexedResource[]> {
  return ((await applications?.()) ?? []).map((a) => ({
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
  }));
}

/** Every stored resource, and every inferred application, in memory (the graph view draws them all). */
export async function loadIndex(
  resources: TableClient,
  applications?: () => Promise<ApplicationLinks[]>,
): Promise<ResourceIndex> {
  const items: IndexedResource[] = [];
  for await (const page of resourcePages(resources)) items.push(...page);
  return new ResourceIndex([...items, ...(await applicationNodes(applications))]);
}

/**
 * Finalize's dependency step, in memory bounded by a page rather than by the estate:
 * 1. one read of the inventory builds the look-ups the rules need (src/dependencies/NodeIndex.ts);
 * 2. the stored graph is read compactly (hashes, not edges);
 * 3. a second read runs the rules a page at a time; each edge is compared with the stored graph,
 *    and the new or changed ones are written with their change records in 100-row batches as
 *    partitions fill (a failed task's rows are still there, so its edges stay);
 * 4. the stored edges not found again are recorded as removed, then deleted;
 * 5. the meta row names the scan.
 * Safe to retry at any line: rows are keyed by what they say; an edge a failed attempt stored
 * (first seen by this scan) still counts as added, and removals are counted from this scan's
 * change records; once the meta row names the scan, a retry reports the counts it stored.
 */
export async function updateDependencies(
  deps: UpdateDependenciesDeps,
  scanId: string,
  at: string,
): Promise<DependencyCounts> {
  const meta = await deps.store.meta();
  if (meta?.scanId === scanId)
    return { dependencies: meta.edges, edgesAdded: meta.added, edgesRemoved: meta.removed };
  const nodes = new NodeIndex();
  const [applications, stored] = await Promise.all([
    (async () => {
      for await (const page of resourcePages(deps.resources, deps.pageSize))
        for (const r of page) nodes.add(r);
      const apps = await applicationNodes(deps.applications);
      for (const a of apps) nodes.add(a);
      return apps;
    })(),
    deps.store.stored(),
  ]);
  const progress = deps.progress ?? (() => undefined);
  progress('dependencies: index built', { nodes: nodes.size, storedEdges: stored.size });

  const change = (e: Edge, kind: 'edgeAdded' | 'edgeRemoved'): ChangeItem => {
    const source = nodes.node(e.sourceId);
    return {
      scanId,
      at,
      kind,
      resourceId: e.sourceId,
      targetId: e.targetId,
      method: e.method,
      type: source.type,
      name: source.name,
      subscriptionId: parseResourceId(e.sourceId)?.subscriptionId,
    };
  };
  const inBaseline = (e: Edge): boolean => {
    if (!deps.baseline) return false;
    const sub = parseResourceId(e.sourceId)?.subscriptionId ?? parseResourceId(e.targetId)?.subscriptionId;
    return sub !== undefined && deps.baseline(sub.toLowerCase());
  };
  const graphRows = deps.store.batchWriter();
  const changeRowsWaiting = deps.changes.batchWriter();
  let total = 0;
  let added = 0;
  const detector = new EdgeDetector(
    (e) => {
      total++;
      const before = stored.findAgain(e);
      if (!before || before.firstSeenScanId === scanId) {
        added++;
        graphRows.add(edgeRows({ ...e, firstSeenScanId: scanId }));
        if (!inBaseline(e)) changeRowsWaiting.add(changeRows(change(e, 'edgeAdded')));
      } else if (!before.same) graphRows.add(edgeRows({ ...e, firstSeenScanId: before.firstSeenScanId }));
    },
    { heuristics: deps.heuristics },
  );
  // A page's rows are written while the next page is read and its rules run (one write in flight).
  let writing: Promise<unknown> = Promise.resolve();
  let read = 0;
  for await (const page of resourcePages(deps.resources, deps.pageSize)) {
    detector.view(new PageView(nodes, page));
    await writing;
    writing = Promise.all([graphRows.drain(), changeRowsWaiting.drain()]);
    read += page.length;
    progress('dependencies: page detected', { resources: read, edges: total, added });
  }
  const last = new PageView(nodes, applications);
  detector.view(last);
  detector.finish(last);
  await writing;
  await Promise.all([graphRows.flush(), changeRowsWaiting.flush()]);

  progress('dependencies: edges stored', { edges: total, added });

  // A removal is recorded before its rows go, so a retry that finds them gone still counts it.
  // Every stored edge found again (a first scan, a steady estate): nothing to look for.
  if (stored.notFound > 0)
    for await (const page of deps.store.pages()) {
      const gone = page.filter((e) => stored.isGone(e));
      if (!gone.length) continue;
      await deps.changes.record(gone.map((e) => change(e, 'edgeRemoved')));
      await deps.store.remove(gone);
    }
  const removed = await deps.changes.countEdgeChanges(scanId, 'edgeRemoved');
  progress('dependencies: removals recorded', { removed });
  await deps.store.writeMeta(scanId, at, { edges: total, added, removed });
  return { dependencies: total, edgesAdded: added, edgesRemoved: removed };
}
