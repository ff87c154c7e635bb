import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { validationError } from '../errors/TopDeckError';
import { parseResourceId } from '../discovery/Resource';
import {
  escapeKeyPart,
  idRowPrefix,
  idScope,
  odataString,
  prefixFilter,
  resourcePartitionKey,
} from '../storage/keys';
import { readJsonColumns, writeJsonColumns } from '../storage/jsonColumns';
import type { TableEntity } from '../storage/resourceEntity';
import { BatchWriter, upsertInBatches } from '../storage/tables';
import type { ChangeItem, ChangeKind } from './ChangeItem';

/**
 * The `changes` table: history, kept (no retention window). Every change is written twice:
 *
 * - by scan: PartitionKey `<scan id>|<resources PartitionKey>` (subscription, type and resource
 *   group: a page's changes are a batch per group; edges: `<scan id>|edges|<scope of the source>`;
 *   scans before 2026-11-29 left out the group), RowKey
 *   `<kind>|<resource RowKey>` (edges: `<kind>|<source>|<target>|<method>`), so a scan's changes
 *   are one PartitionKey range (prefix `<scan id>|`), and a time range is the scans in it;
 * - by resource: PartitionKey `res|<scope of the resource>` (`idScope`: subscription, resource
 *   group and type), RowKey `<resource RowKey>~<scan id>|<kind>[|<target>|<method>]`, so one
 *   resource's history (edges by their source) is one RowKey range of one partition, and a
 *   scan's changes are written in batches per scope, not one transaction per resource.
 *
 * Both rows are keyed by what they say, so writing a change twice (a retried page) is harmless.
 */
function scanChangePartition(scanId: string, resourcePartition: string): string {
  return `${scanId}|${resourcePartition}`;
}

/** Where a resource's history was kept before the scope partitions: still read, never written. */
function legacyHistoryPartition(resourceId: string): string {
  return `res|${escapeKeyPart(resourceId)}`;
}

/**
 * Changes that resource events find are kept per hour, as if each hour were a scan: scan id
 * `<yyyymmddThh5959Z>-events` (it sorts among scan ids by time), listed in this partition so the
 * history reads them with the scans.
 */
const EVENT_BUCKETS_PARTITION = 'eventbuckets';
const HOUR_MS = 3_600_000;

/** The pseudo-scan an event's changes at `at` belong to. */
export function eventBucketOf(at: string): { scanId: string; startedAt: string; completedAt: string } {
  const start = Math.floor(Date.parse(at) / HOUR_MS) * HOUR_MS;
  const iso = new Date(start).toISOString();
  return {
    // named after the hour's last second: newest first, it comes before the scans of that hour
    scanId: `${iso.slice(0, 13).replace(/-/g, '')}5959Z-events`,
    startedAt: iso,
    completedAt: new Date(start + HOUR_MS - 1).toISOString(),
  };
}

const isEdge = (k: ChangeKind) => k === 'edgeAdded' || k === 'edgeRemoved';

/** A change's scan partition: its subscription and type (one per task), or `edges|<scope>`. */
function scanPartitionOf(c: ChangeItem): string {
  if (isEdge(c.kind)) return `edges|${idScope(c.resourceId)}`;
  const p = parseResourceId(c.resourceId);
  return p ? resourcePartitionKey(p.subscriptionId, c.type, p.resourceGroup) : 'other';
}

/** A change's two rows (by scan and by resource). */
export function changeRows(c: ChangeItem): TableEntity[] {
  // An event's changes are told apart by the event time: several in one hour are all kept.
  const tail =
    (isEdge(c.kind) ? `|${escapeKeyPart(c.targetId ?? '')}|${c.method ?? ''}` : '') +
    (c.trigger === 'event' ? `|${c.at}` : '');
  const columns = {
    scanId: c.scanId,
    at: c.at,
    kind: c.kind,
    resourceId: c.resourceId,
    ...(c.targetId ? { targetId: c.targetId } : {}),
    ...(c.method ? { method: c.method } : {}),
    type: c.type,
    typeLower: c.type.toLowerCase(),
    name: c.name,
    subscriptionId: c.subscriptionId ?? '',
    ...(c.paths ? writeJsonColumns('paths', c.paths) : {}),
    trigger: c.trigger ?? 'scan',
    ...(c.actor ? { actor: c.actor, actorLower: c.actor.toLowerCase() } : {}),
    ...(c.operation ? { operation: c.operation } : {}),
    ...(c.correlationId ? { correlationId: c.correlationId } : {}),
  };
  return [
    {
      partitionKey: scanChangePartition(c.scanId, scanPartitionOf(c)),
      rowKey: `${c.kind}|${escapeKeyPart(c.resourceId)}${tail}`,
      ...columns,
    },
    {
      partitionKey: `res|${idScope(c.resourceId)}`,
      rowKey: `${idRowPrefix(c.resourceId)}${c.scanId}|${c.kind}${tail}`,
      ...columns,
    },
  ];
}

function toItem(e: Record<string, unknown>): ChangeItem {
  const s = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : undefined);
  const paths = readJsonColumns<ChangeItem['paths']>('paths', e, undefined);
  return {
    scanId: s('scanId') ?? '',
    at: s('at') ?? '',
    kind: (s('kind') ?? 'modified') as ChangeKind,
    resourceId: s('resourceId') ?? '',
    ...(s('targetId') ? { targetId: s('targetId') } : {}),
    ...(s('method') ? { method: s('method') } : {}),
    type: s('type') ?? '',
    name: s('name') ?? '',
    ...(s('subscriptionId') ? { subscriptionId: s('subscriptionId') } : {}),
    ...(paths ? { paths } : {}),
    trigger: s('trigger') === 'event' ? 'event' : 'scan',
    ...(s('actor') ? { actor: s('actor') } : {}),
    ...(s('operation') ? { operation: s('operation') } : {}),
    ...(s('correlationId') ? { correlationId: s('correlationId') } : {}),
  };
}

export interface ChangeQuery {
  since?: string;
  until?: string;
  resourceId?: string;
  type?: string;
  scanId?: string;
  /** Who made the change (events only), compared case-insensitively. */
  actor?: string;
  limit: number;
  continuationToken?: string;
}

export interface ChangePage {
  items: ChangeItem[];
  continuationToken?: string;
}

/** The scans a query may read, newest first (from the scans table, which is small). */
export type ScanLister = () => Promise<Array<{ scanId: string; startedAt: string; completedAt?: string }>>;

interface Token {
  /** scan to read next (scan-ordered queries) */
  s?: string;
  /** offset: into one resource's history, or into scan `s` in time order */
  o?: number;
  /** hash of the query the token belongs to */
  q: string;
}

function queryHash(q: ChangeQuery): string {
  const { since, until, resourceId, type, scanId, actor } = q;
  return createHash('sha1')
    .update(
      JSON.stringify([
        since,
        until,
        resourceId?.toLowerCase(),
        type?.toLowerCase(),
        scanId,
        ...(actor ? [actor.toLowerCase()] : []),
      ]),
    )
    .digest('base64url')
    .slice(0, 12);
}

function encode(t: Token): string {
  return Buffer.from(JSON.stringify(t), 'utf8').toString('base64url');
}

function decode(token: string, q: ChangeQuery): Token {
  let t: Token | undefined;
  try {
    t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Token;
  } catch {
    t = undefined;
  }
  if (!t || typeof t.q !== 'string')
    throw validationError(
      'invalid continuationToken: pass back exactly the continuationToken of the previous page',
    );
  if (t.q !== queryHash(q))
    throw validationError(
      'invalid continuationToken: it belongs to a query with other filters; repeat the same filters',
    );
  return t;
}

export class ChangeLog {
  constructor(
    private readonly table: TableClient,
    private readonly listScans: ScanLister,
  ) {}

  private readonly bucketsWritten = new Set<string>();

  /** Writes changes, both rows each (and, for events, names their hour so the history lists it). */
  async record(items: ChangeItem[]): Promise<void> {
    if (!items.length) return;
    const buckets = new Map(
      items
        .filter((c) => c.trigger === 'event')
        .map((c) => eventBucketOf(c.at))
        .filter((b) => !this.bucketsWritten.has(b.scanId))
        .map((b) => [b.scanId, b]),
    );
    if (buckets.size) {
      const rows = [...buckets.values()].map((b) => ({
        partitionKey: EVENT_BUCKETS_PARTITION,
        rowKey: b.scanId,
        ...b,
      }));
      await upsertInBatches(this.table, rows, 'Replace');
      for (const b of buckets.keys()) this.bucketsWritten.add(b);
    }
    await upsertInBatches(this.table, items.flatMap(changeRows), 'Replace');
  }

  /** The hours resource events recorded changes in. */
  private async eventBuckets(
    since: string | undefined,
  ): Promise<Array<{ scanId: string; startedAt: string; completedAt: string }>> {
    const out = [];
    // RowKeys are the hours' ids, in time order: a `since` skips the older hours
    const from = since ? ` and RowKey ge ${odataString(eventBucketOf(since).scanId)}` : '';
    for await (const e of this.table.listEntities<{ scanId: string; startedAt: string; completedAt: string }>(
      {
        queryOptions: { filter: `PartitionKey eq ${odataString(EVENT_BUCKETS_PARTITION)}${from}` },
      },
    ))
      out.push({ scanId: e.scanId, startedAt: e.startedAt, completedAt: e.completedAt });
    return out;
  }

  /** For change rows (`changeRows`) written in batches as partitions fill. */
  batchWriter(): BatchWriter {
    return new BatchWriter(this.table, 'Replace');
  }

  /** How many edges of a kind a scan recorded (its by-scan rows: a retried step counts once). */
  async countEdgeChanges(scanId: string, kind: 'edgeAdded' | 'edgeRemoved'): Promise<number> {
    const filter = `${prefixFilter('PartitionKey', scanChangePartition(scanId, 'edges|'))} and ${prefixFilter('RowKey', `${kind}|`)}`;
    let n = 0;
    for await (const page of this.table
      .listEntities({ queryOptions: { filter, select: ['RowKey'] } })
      .byPage())
      n += page.length;
    return n;
  }

  private timeFilters(q: ChangeQuery): string[] {
    const f: string[] = [];
    if (q.since) f.push(`at ge ${odataString(q.since)}`);
    if (q.until) f.push(`at le ${odataString(q.until)}`);
    if (q.type) f.push(`typeLower eq ${odataString(q.type.toLowerCase())}`);
    if (q.actor) f.push(`actorLower eq ${odataString(q.actor.toLowerCase())}`);
    return f;
  }

  async query(q: ChangeQuery): Promise<ChangePage> {
    const token = q.continuationToken ? decode(q.continuationToken, q) : undefined;
    return q.resourceId ? this.resourceHistory(q, token) : this.byScans(q, token);
  }

  /** One resource's history: one key range (and its rows in the older layout), newest first. */
  private async resourceHistory(q: ChangeQuery, token: Token | undefined): Promise<ChangePage> {
    const id = q.resourceId as string;
    const scan = q.scanId ? `${q.scanId}|` : '';
    const current = `PartitionKey eq ${odataString(`res|${idScope(id)}`)}`;
    const legacy = `PartitionKey eq ${odataString(legacyHistoryPartition(id))}`;
    const ranges = [
      `${current} and ${prefixFilter('RowKey', `${idRowPrefix(id)}${scan}`)}`,
      scan ? `${legacy} and ${prefixFilter('RowKey', scan)}` : legacy,
    ];
    const all: ChangeItem[] = [];
    for (const range of ranges) {
      const filter = [range, ...this.timeFilters(q)].join(' and ');
      for await (const e of this.table.listEntities({ queryOptions: { filter } })) all.push(toItem(e));
    }
    all.sort((a, b) => (a.at === b.at ? b.scanId.localeCompare(a.scanId) : b.at.localeCompare(a.at)));
    const offset = token?.o ?? 0;
    const items = all.slice(offset, offset + q.limit);
    const next = offset + q.limit;
    return next < all.length ? { items, continuationToken: encode({ o: next, q: queryHash(q) }) } : { items };
  }

  /**
   * Newest first: scan by scan, newest scan first, and within a scan by time, newest first (a
   * scan's rows are keyed by kind and id, not time, so each scan's matching rows are read whole
   * and sorted; memory and reads per page are bounded by one scan's changes, which a baseline
   * first scan keeps small). Scans that ran side by side are ordered by start, not interleaved.
   */
  private async byScans(q: ChangeQuery, token: Token | undefined): Promise<ChangePage> {
    const [scanRows, buckets] = await Promise.all([this.listScans(), this.eventBuckets(q.since)]);
    let scans = [...scanRows, ...buckets].filter(
      (s) =>
        (!q.scanId || s.scanId === q.scanId) &&
        (!q.since || (s.completedAt ?? '9999') >= q.since) &&
        (!q.until || s.startedAt <= q.until),
    );
    scans.sort((a, b) => b.scanId.localeCompare(a.scanId));
    if (token?.s) {
      const i = scans.findIndex((s) => s.scanId === token.s);
      scans = i < 0 ? [] : scans.slice(i);
    }
    const items: ChangeItem[] = [];
    let offset = token?.o ?? 0;
    for (const [i, scan] of scans.entries()) {
      const filter = [prefixFilter('PartitionKey', `${scan.scanId}|`), ...this.timeFilters(q)].join(' and ');
      const rows: Array<{ key: string; item: ChangeItem }> = [];
      for await (const e of this.table.listEntities({ queryOptions: { filter } }))
        rows.push({ key: `${e.partitionKey as string}\n${e.rowKey as string}`, item: toItem(e) });
      rows.sort((a, b) =>
        a.item.at === b.item.at ? a.key.localeCompare(b.key) : b.item.at.localeCompare(a.item.at),
      );
      const wanted = q.limit - items.length;
      items.push(...rows.slice(offset, offset + wanted).map((r) => r.item));
      if (items.length >= q.limit) {
        const more = offset + wanted < rows.length;
        const nextScan = more ? scan.scanId : scans[i + 1]?.scanId;
        return nextScan
          ? {
              items,
              continuationToken: encode({
                s: nextScan,
                ...(more ? { o: offset + wanted } : {}),
                q: queryHash(q),
              }),
            }
          : { items };
      }
      offset = 0;
    }
    return { items };
  }
}
