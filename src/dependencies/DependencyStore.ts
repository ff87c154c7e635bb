import type { TableClient } from '@azure/data-tables';
import { escapeKeyPart, idRowPrefix, idScope, odataString, prefixFilter } from '../storage/keys';
import type { TableEntity } from '../storage/resourceEntity';
import { BatchWriter, deleteInBatches, getEntityOrUndefined, upsertInBatches } from '../storage/tables';
import { HashOrdinals, NumberColumn, hashKey } from './compact';
import { edgeIdentity, type Edge, type EdgeCategory, type EdgeMethod } from './Edge';

/**
 * The `dependencies` table. Every edge is stored twice so that each direction is one key range:
 * PartitionKey `out|<scope of the source>` with RowKey `<source>~<target>~<method>`, and
 * `in|<scope of the target>` with RowKey `<target>~<source>~<method>` (ids lower-cased and
 * escaped as resource RowKeys; a scope is `<subscriptionId>|<resource group>|<type>`, see
 * `idScope`). An id's edges are the RowKeys starting `<id>~` in its scope's partition; a
 * subscription's or a resource group's edges are one PartitionKey range. One row `meta`/`graph`
 * names the scan whose detection the stored graph is: every stored edge was seen by it, so it is
 * each edge's `lastSeenScanId` (no rewrite of unchanged edges per scan), and the key layout its
 * rows are in.
 */
export const META_PARTITION = 'meta';
const META_ROW = 'graph';
/**
 * 2: partitions per scope. (1 had a partition per id: one Table transaction per edge end, and
 * edges are mostly one or two per end.) A graph stored in another layout is rewritten once.
 */
const LAYOUT = 2;

function rowKey(from: string, to: string, method: string): string {
  return `${idRowPrefix(from)}${escapeKeyPart(to)}~${method}`;
}

/** An edge's two rows, `out|` and `in|`. */
export function edgeRows(e: Edge): [TableEntity, TableEntity] {
  const columns = {
    sourceId: e.sourceId,
    targetId: e.targetId,
    category: e.category,
    strength: e.strength,
    method: e.method,
    evidence: e.evidence,
    firstSeenScanId: e.firstSeenScanId ?? '',
  };
  return [
    {
      partitionKey: `out|${idScope(e.sourceId)}`,
      rowKey: rowKey(e.sourceId, e.targetId, e.method),
      ...columns,
    },
    {
      partitionKey: `in|${idScope(e.targetId)}`,
      rowKey: rowKey(e.targetId, e.sourceId, e.method),
      ...columns,
    },
  ];
}

function toEdge(entity: Record<string, unknown>, lastSeenScanId?: string): Edge {
  const s = (k: string) => (typeof entity[k] === 'string' ? (entity[k] as string) : '');
  return {
    sourceId: s('sourceId'),
    targetId: s('targetId'),
    category: s('category') as EdgeCategory,
    strength: typeof entity.strength === 'number' ? entity.strength : Number(entity.strength ?? 0),
    method: s('method') as EdgeMethod,
    evidence: s('evidence'),
    firstSeenScanId: s('firstSeenScanId') || undefined,
    lastSeenScanId,
  };
}

export interface GraphMeta {
  scanId: string;
  at: string;
  edges: number;
  /** What that scan's detection changed (kept so a retried finalize reports the same). */
  added: number;
  removed: number;
  layout: number;
}

/** Which edges a graph query reads: the estate, one subscription, or one resource group. */
export interface GraphScope {
  subscriptionId?: string;
  resourceGroup?: string;
}

/**
 * The stored graph held compactly while a scan's detection runs (src/dependencies/compact.ts):
 * per edge, a hash of its identity, a hash of what it says, the scan that first saw it, and
 * whether this detection found it again. About 35 bytes an edge, outside the JS heap.
 */
export class StoredGraph {
  private readonly ordinals = new HashOrdinals();
  private readonly says = new NumberColumn((n) => new Float64Array(n));
  private readonly firstSeen = new NumberColumn((n) => new Int32Array(n));
  private readonly found = new NumberColumn((n) => new Uint8Array(n));
  private readonly scans: string[] = [];
  private readonly scanCodes = new Map<string, number>();
  private foundCount = 0;

  get size(): number {
    return this.ordinals.size;
  }

  /** How many stored edges this detection has not found again (so far). */
  get notFound(): number {
    return this.ordinals.size - this.foundCount;
  }

  add(e: Edge): void {
    const o = this.ordinals.size;
    if (!this.ordinals.setIfAbsent(hashKey(edgeIdentity(e)), o)) return;
    const scan = e.firstSeenScanId ?? '';
    let code = this.scanCodes.get(scan);
    if (code === undefined) {
      code = this.scans.push(scan) - 1;
      this.scanCodes.set(scan, code);
    }
    this.says.set(o, says(e));
    this.firstSeen.set(o, code);
  }

  /** Marks the edge found again; what the stored one was, or undefined when it is new. */
  findAgain(e: Edge): { firstSeenScanId?: string; same: boolean } | undefined {
    const o = this.ordinals.get(hashKey(edgeIdentity(e)));
    if (o < 0) return undefined;
    if (this.found.get(o) === 0) this.foundCount++;
    this.found.set(o, 1);
    return {
      firstSeenScanId: this.scans[this.firstSeen.get(o)] || undefined,
      same: this.says.get(o) === says(e),
    };
  }

  /** A stored edge this detection did not find again. */
  isGone(e: Edge): boolean {
    const o = this.ordinals.get(hashKey(edgeIdentity(e)));
    return o >= 0 && this.found.get(o) === 0;
  }
}

/** What an edge says besides its identity: an edge saying something else is rewritten. */
function says(e: Edge): number {
  return hashKey(`${e.category}\n${e.strength}\n${e.evidence}`);
}

export class DependencyStore {
  constructor(private readonly table: TableClient) {}

  async meta(): Promise<GraphMeta | undefined> {
    const m = await getEntityOrUndefined<Record<string, unknown>>(this.table, META_PARTITION, META_ROW);
    if (!m) return undefined;
    return {
      scanId: String(m.scanId ?? ''),
      at: String(m.at ?? ''),
      edges: Number(m.edges ?? 0),
      added: Number(m.added ?? 0),
      removed: Number(m.removed ?? 0),
      layout: Number(m.layout ?? 1),
    };
  }

  private async query(filter: string, lastSeen?: string): Promise<Edge[]> {
    const out: Edge[] = [];
    for await (const e of this.table.listEntities({ queryOptions: { filter } }))
      out.push(toEdge(e, lastSeen));
    return out;
  }

  private async ofId(direction: 'out' | 'in', id: string, lastSeen?: string): Promise<Edge[]> {
    return this.query(
      `PartitionKey eq ${odataString(`${direction}|${idScope(id)}`)} and ${prefixFilter('RowKey', idRowPrefix(id))}`,
      lastSeen,
    );
  }

  /** What `id` depends on. */
  async outgoing(id: string, lastSeen?: string): Promise<Edge[]> {
    return this.ofId('out', id, lastSeen);
  }

  /** What depends on `id`. */
  async incoming(id: string, lastSeen?: string): Promise<Edge[]> {
    return this.ofId('in', id, lastSeen);
  }

  /** Every edge whose source is in the scope (the estate when it is empty). */
  async all(scope: GraphScope = {}, lastSeen?: string): Promise<Edge[]> {
    const sub = scope.subscriptionId ? escapeKeyPart(scope.subscriptionId) : undefined;
    const filter = !sub
      ? prefixFilter('PartitionKey', 'out|')
      : scope.resourceGroup
        ? prefixFilter('PartitionKey', `out|${sub}|${escapeKeyPart(scope.resourceGroup)}|`)
        : prefixFilter('PartitionKey', `out|${sub}|`);
    return this.query(filter, lastSeen);
  }

  /** The stored edges (their `out|` rows), a page at a time. */
  async *pages(): AsyncIterableIterator<Edge[]> {
    const pages = this.table
      .listEntities({ queryOptions: { filter: prefixFilter('PartitionKey', 'out|') } })
      .byPage({ maxPageSize: 1000 });
    for await (const page of pages) yield page.map((e) => toEdge(e));
  }

  /** The stored graph, compactly, to compare a detection with. */
  async stored(): Promise<StoredGraph> {
    const graph = new StoredGraph();
    for await (const page of this.pages()) for (const e of page) graph.add(e);
    return graph;
  }

  /** For edge rows (`edgeRows`) written in batches as partitions fill. */
  batchWriter(): BatchWriter {
    return new BatchWriter(this.table, 'Replace');
  }

  /** Deletes edges, both rows each (rows already gone are fine). */
  async remove(edges: Edge[]): Promise<void> {
    if (edges.length) await deleteInBatches(this.table, edges.flatMap(edgeRows));
  }

  /**
   * Names the scan whose detection the stored graph now is. Written last: once it names the scan,
   * that scan's graph is complete.
   */
  async writeMeta(
    scanId: string,
    at: string,
    counts: { edges: number; added: number; removed: number },
  ): Promise<void> {
    await this.table.upsertEntity(
      { partitionKey: META_PARTITION, rowKey: META_ROW, scanId, at, ...counts, layout: LAYOUT },
      'Replace',
    );
  }

  /**
   * A graph stored in an older key layout, rewritten in this one (at start-up, before anything
   * reads it): every edge row again under the current keys, then the old rows deleted, then the
   * meta row says so. The stored columns say what each edge is, so nothing is detected again and
   * nothing counts as changed. Safe to repeat, and to run in two instances at once.
   */
  async upgradeLayout(): Promise<boolean> {
    const meta = await this.meta();
    if (!meta || meta.layout === LAYOUT) return false;
    const stored: Array<Record<string, unknown> & { partitionKey: string; rowKey: string }> = [];
    for await (const e of this.table.listEntities()) {
      if (e.partitionKey === META_PARTITION) continue;
      stored.push(e as (typeof stored)[number]);
    }
    // Each edge once, from its `out|` row (its `in|` row says the same).
    const edges = new Map<string, Edge>();
    for (const e of stored) {
      if (!String(e.partitionKey).startsWith('out|')) continue;
      const edge = toEdge(e);
      edges.set(edgeIdentity(edge), edge);
    }
    const written = [...edges.values()].flatMap(edgeRows);
    await upsertInBatches(this.table, written, 'Replace');
    const kept = new Set(written.map((r) => `${r.partitionKey}\n${r.rowKey}`));
    await deleteInBatches(
      this.table,
      stored.filter((e) => !kept.has(`${e.partitionKey}\n${e.rowKey}`)),
    );
    await this.table.updateEntity(
      { partitionKey: META_PARTITION, rowKey: META_ROW, layout: LAYOUT },
      'Merge',
    );
    return true;
  }
}
