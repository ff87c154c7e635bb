import type { TableClient } from '@azure/data-tables';
import { escapeKeyPart, odataString, prefixFilter } from '../storage/keys';
import type { TableEntity } from '../storage/resourceEntity';
import { deleteInBatches, getEntityOrUndefined, upsertInBatches } from '../storage/tables';
import { edgeIdentity, type Edge, type EdgeCategory, type EdgeMethod } from './Edge';

/**
 * The `dependencies` table. Every edge is stored twice so that each direction is one partition
 * query: PartitionKey `out|<source id>` (RowKey `<target id>|<method>`) and `in|<target id>`
 * (RowKey `<source id>|<method>`), ids lower-cased and escaped as resource RowKeys. One row
 * `meta`/`graph` names the scan whose detection the stored graph is: every stored edge was seen
 * by it, so it is each edge's `lastSeenScanId` (no rewrite of unchanged edges per scan).
 */
export const META_PARTITION = 'meta';
const META_ROW = 'graph';

export function outPartition(id: string): string {
  return `out|${escapeKeyPart(id)}`;
}

export function inPartition(id: string): string {
  return `in|${escapeKeyPart(id)}`;
}

function rows(e: Edge): [TableEntity, TableEntity] {
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
      partitionKey: outPartition(e.sourceId),
      rowKey: `${escapeKeyPart(e.targetId)}|${e.method}`,
      ...columns,
    },
    { partitionKey: inPartition(e.targetId), rowKey: `${escapeKeyPart(e.sourceId)}|${e.method}`, ...columns },
  ];
}

function toEdge(entity: Record<string, unknown>, lastSeenScanId: string | undefined): Edge {
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
}

export interface EdgeDiff {
  added: Edge[];
  /** Same ends and method, other category, strength or evidence: rewritten, not a change. */
  updated: Edge[];
  removed: Edge[];
  total: number;
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
    };
  }

  private async query(filter: string, lastSeen?: string): Promise<Edge[]> {
    const out: Edge[] = [];
    for await (const e of this.table.listEntities({ queryOptions: { filter } }))
      out.push(toEdge(e, lastSeen));
    return out;
  }

  /** What `id` depends on. */
  async outgoing(id: string, lastSeen?: string): Promise<Edge[]> {
    return this.query(`PartitionKey eq ${odataString(outPartition(id))}`, lastSeen);
  }

  /** What depends on `id`. */
  async incoming(id: string, lastSeen?: string): Promise<Edge[]> {
    return this.query(`PartitionKey eq ${odataString(inPartition(id))}`, lastSeen);
  }

  /** Every edge, or those whose source id starts with a prefix (a subscription, a resource group). */
  async all(sourcePrefix = '', lastSeen?: string): Promise<Edge[]> {
    return this.query(prefixFilter('PartitionKey', outPartition(sourcePrefix)), lastSeen);
  }

  /** How the stored graph differs from `edges` (one detection over the whole inventory). */
  async diff(edges: Edge[], scanId: string): Promise<EdgeDiff> {
    const stored = new Map((await this.all()).map((e) => [edgeIdentity(e), e]));
    const wanted = new Map(edges.map((e) => [edgeIdentity(e), e]));
    const added: Edge[] = [];
    const updated: Edge[] = [];
    for (const [id, e] of wanted) {
      const before = stored.get(id);
      if (!before) added.push({ ...e, firstSeenScanId: scanId });
      else if (
        before.category !== e.category ||
        before.strength !== e.strength ||
        before.evidence !== e.evidence
      )
        updated.push({ ...e, firstSeenScanId: before.firstSeenScanId });
    }
    const removed = [...stored].filter(([id]) => !wanted.has(id)).map(([, e]) => e);
    return { added, updated, removed, total: wanted.size };
  }

  /**
   * Makes the stored graph what the diff says; unchanged edges are not rewritten. The meta row
   * goes last: once it names the scan, that scan's graph is complete.
   */
  async apply(diff: EdgeDiff, scanId: string, at: string): Promise<void> {
    await upsertInBatches(this.table, [...diff.added, ...diff.updated].flatMap(rows), 'Replace');
    if (diff.removed.length) await deleteInBatches(this.table, diff.removed.flatMap(rows));
    await this.table.upsertEntity(
      {
        partitionKey: META_PARTITION,
        rowKey: META_ROW,
        scanId,
        at,
        edges: diff.total,
        added: diff.added.length,
        removed: diff.removed.length,
      },
      'Replace',
    );
  }
}
