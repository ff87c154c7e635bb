import type { TableClient } from '@azure/data-tables';
import { canonicalType } from '../discovery/registry';
import { parseResourceId } from '../discovery/Resource';
import { resourcePartitionKey, resourceRowKey } from '../storage/keys';
import { entityToResource } from '../storage/resourceEntity';
import { getEntityOrUndefined } from '../storage/tables';
import { EdgeDetector } from './detectDependencies';
import { edgeIdentity, isExternalId, type Edge } from './Edge';
import { edgeRows, type DependencyStore } from './DependencyStore';
import type { NodeIndex } from './NodeIndex';
import type { IndexedResource } from './readProperties';
import { PageView } from './ResourceIndex';

export interface EdgeRefreshDeps {
  resources: TableClient;
  store: DependencyStore;
  /** The estate's look-ups (host names, ids): src/events/NodeIndexCache.ts keeps them warm. */
  nodes: () => Promise<NodeIndex>;
}

export interface EdgeDelta {
  added: Edge[];
  removed: Edge[];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The edges a refresh may decide: those the fact rules draw between ARM resources (or to an
 * external host). Guesses, and the links of applications, repositories and deployments, are
 * finalize's: an event leaves them as they are.
 */
function decidable(e: Edge, id: string): boolean {
  if (e.method === 'heuristic') return false;
  const other = same(e.sourceId, id) ? e.targetId : e.sourceId;
  return isExternalId(other) || Boolean(parseResourceId(other));
}

async function readResource(resources: TableClient, id: string): Promise<IndexedResource | undefined> {
  const p = parseResourceId(id);
  if (!p) return undefined;
  const row = await getEntityOrUndefined(
    resources,
    resourcePartitionKey(p.subscriptionId, canonicalType(p.type), p.resourceGroup),
    resourceRowKey(id),
  );
  return row?.id ? entityToResource(row) : undefined;
}

/**
 * One resource's edges after an event: its outgoing edges recomputed by the same rules finalize
 * runs, and the edges that point at it re-checked by running the rules over their sources too
 * (both rows of each edge, `out|` and `in|`, are written or deleted). A deleted resource loses
 * every edge. Safe to repeat: the result depends only on what is stored.
 */
export async function refreshEdges(
  deps: EdgeRefreshDeps,
  id: string,
  resource: IndexedResource | undefined,
  firstSeenScanId: string,
): Promise<EdgeDelta> {
  const [outgoing, incoming] = await Promise.all([deps.store.outgoing(id), deps.store.incoming(id)]);
  if (!resource) {
    const removed = [...outgoing, ...incoming];
    await deps.store.remove(removed);
    return { added: [], removed };
  }
  const nodes = await deps.nodes();
  nodes.add(resource);
  const neighbourIds = new Set<string>();
  for (const e of outgoing) if (decidable(e, id)) neighbourIds.add(e.targetId.toLowerCase());
  for (const e of incoming) if (decidable(e, id)) neighbourIds.add(e.sourceId.toLowerCase());
  neighbourIds.delete(id.toLowerCase());
  const neighbours = (
    await Promise.all(
      [...neighbourIds].filter((n) => !isExternalId(n)).map((n) => readResource(deps.resources, n)),
    )
  ).filter((r): r is IndexedResource => Boolean(r));
  const readable = new Set([id, ...neighbours.map((n) => n.id)].map((x) => x.toLowerCase()));

  const found = new Map<string, Edge>();
  const detector = new EdgeDetector((e) => {
    if (same(e.sourceId, id) || same(e.targetId, id)) found.set(edgeIdentity(e), e);
  });
  detector.view(new PageView(nodes, [resource, ...neighbours]));

  const stored = new Map<string, Edge>();
  for (const e of [...outgoing, ...incoming]) if (decidable(e, id)) stored.set(edgeIdentity(e), e);
  const added: Edge[] = [];
  const writes: Edge[] = [];
  for (const [key, e] of found) {
    const before = stored.get(key);
    if (!before) added.push(e);
    if (
      !before ||
      before.strength !== e.strength ||
      before.evidence !== e.evidence ||
      before.category !== e.category
    )
      writes.push({ ...e, firstSeenScanId: before?.firstSeenScanId ?? firstSeenScanId });
  }
  // An edge whose source could not be read (its row is gone) is left for the next scan.
  const removed = [...stored]
    .filter(([key, e]) => !found.has(key) && readable.has(e.sourceId.toLowerCase()))
    .map(([, e]) => e);
  const rows = deps.store.batchWriter();
  for (const e of writes) rows.add(edgeRows(e));
  await rows.flush();
  await deps.store.remove(removed);
  return { added, removed };
}
