import type { ChangeItem } from '../changes/ChangeItem';
import { eventBucketOf, type ChangeLog } from '../changes/ChangeLog';
import { diffContent } from '../changes/diffContent';
import type { DependencyStore } from '../dependencies/DependencyStore';
import type { Edge } from '../dependencies/Edge';
import type { NodeIndexCache } from '../dependencies/NodeIndexCache';
import { refreshEdges } from '../dependencies/refreshEdges';
import type { ArmClients } from '../discovery/armClients';
import { findDedicated, findDiscoverer } from '../discovery/registry';
import { LISTING_ONLY_PROPERTIES } from '../discovery/genericGetById';
import { readById } from '../discovery/readById';
import { parseResourceId, type DiscoveredItem } from '../discovery/Resource';
import type Redis from 'ioredis';
import { classifyError } from '../errors/classifyError';
import { resourcePartitionKey, resourceRowKey } from '../storage/keys';
import { entityToResource, isCurrentHash, primaryEntity, type TableEntity } from '../storage/resourceEntity';
import { getEntityOrUndefined, upsertInBatches, type Tables } from '../storage/tables';
import { recordTombstone } from '../storage/tombstones';
import { countingCalls, currentCallCounts } from '../telemetry/callCounts';
import { withOperation, type Logger } from '../telemetry/logger';
import type { OperationRecorder } from '../telemetry/operationMetrics';
import { redactText } from '../telemetry/redact';
import { runWithTraceparent } from '../telemetry/traceContext';
import { owningResource, type OwningResource } from './owningResource';
import { isDelete, type ResourceEvent } from './ResourceEvent';
import { RecentIds } from './RecentIds';
import { SharedEventIds } from './SharedEventIds';

export interface EventRefresherDeps {
  tables: Pick<Tables, 'resources' | 'tombstones'>;
  arm: ArmClients;
  changeLog: ChangeLog;
  dependencies: DependencyStore;
  nodes: NodeIndexCache;
  /** The API's cached answers that a refreshed row may change (the resources namespace). */
  invalidate: () => Promise<void>;
  logger: Logger;
  metrics?: OperationRecorder;
  /**
   * The coordination Redis (src/cache/coordinationRedis.ts): duplicates and bursts are then
   * recognised across instances; absent or down, within this process only.
   */
  redis?: Redis;
  /** Events for one resource arriving within this window share one refresh, in milliseconds. */
  collapseMs?: number;
  now?: () => Date;
}

export type RefreshOutcome =
  | 'added'
  | 'modified'
  | 'state'
  | 'unchanged'
  | 'removed'
  | 'gone'
  | 'stale'
  | 'duplicate'
  /** another instance's refresh of the same resource, still to read, covers it (Redis) */
  | 'collapsed'
  | 'unsupported'
  | 'failed';

interface Pending {
  owner: OwningResource;
  events: ResourceEvent[];
  done: Promise<RefreshOutcome>;
}

/** Default collapse window: a burst of writes to one resource (a deployment) is one read. */
const COLLAPSE_MS = 250;

/**
 * The event step beside the scan's steps: one resource re-read by id and stored exactly as a scan
 * stores it, its edges recomputed, its change recorded with who made it. Safe to repeat at any
 * line: a redelivered event finds the row already current and changes nothing.
 */
export class EventRefresher {
  private readonly now: () => Date;
  private readonly pending = new Map<string, Pending>();
  /** Events refreshed in this process: a duplicate delivery is ignored without a read. */
  private readonly done = new RecentIds(20_000);
  private readonly shared: SharedEventIds;

  constructor(private readonly deps: EventRefresherDeps) {
    this.now = deps.now ?? (() => new Date());
    this.shared = new SharedEventIds(deps.redis, deps.collapseMs ?? COLLAPSE_MS);
  }

  /**
   * Refreshes what an event is about; events for one resource within the window share the work,
   * in this process and (with Redis) across instances; an event id already refreshed by any
   * instance is a duplicate.
   */
  refresh(event: ResourceEvent): Promise<RefreshOutcome> {
    if (this.done.has(event.id)) return Promise.resolve('duplicate');
    const owner = owningResource(event.subject);
    if (!owner) return Promise.resolve('unsupported');
    const key = owner.id.toLowerCase();
    const waiting = this.pending.get(key);
    if (waiting) {
      if (!waiting.events.some((e) => e.id === event.id)) waiting.events.push(event);
      return waiting.done;
    }
    const entry: Pending = { owner, events: [event], done: Promise.resolve('unchanged') };
    // another instance's open window for this resource is joined at once, while its read is to come
    const window = this.shared.openWindow(key, event.eventTime);
    entry.done = new Promise<void>((resolve) => setTimeout(resolve, this.deps.collapseMs ?? COLLAPSE_MS))
      .then(() => {
        // later events for this resource start a new refresh (this one may have read already)
        this.pending.delete(key);
        return this.refreshShared(key, entry, window);
      })
      .then((outcome) => {
        for (const e of entry.events) this.done.add(e.id);
        return outcome;
      });
    this.pending.set(key, entry);
    return entry.done;
  }

  /** The shared part: claim the ids, leave the read to another instance's window, or read. */
  private async refreshShared(
    key: string,
    entry: Pending,
    window: Promise<boolean>,
  ): Promise<RefreshOutcome> {
    // An id another instance has refreshed is a duplicate; one it is refreshing right now is read
    // here too (a wasted read, never a lost change, if that instance stops half-way).
    const claims = await Promise.all(entry.events.map((e) => this.shared.claim(e.id)));
    const claimed = entry.events.filter((_, i) => claims[i] !== 'done');
    if (!claimed.length) {
      // no read here after all, unless other instances' events joined a window this one opened
      const joined = (await window) ? await this.shared.closeWindow(key) : undefined;
      return joined ? this.refreshOwner(entry.owner, entry.events, joined) : 'duplicate';
    }
    const ids = claimed.map((e) => e.id);
    const newest = claimed
      .map((e) => e.eventTime)
      .sort()
      .pop() as string;
    // Another instance held the window when this one opened, and this one joined it: that
    // instance's read, still to come then, reflects the event. Events that joined here since are
    // covered if the window is still open (joined now); else this instance reads.
    if (!(await window)) {
      const first = (entry.events[0] as ResourceEvent).eventTime;
      if (newest <= first || !(await this.shared.openWindow(key, newest))) {
        await this.shared.done(ids);
        return 'collapsed';
      }
    }
    try {
      const joined = await this.shared.closeWindow(key);
      const outcome = await this.refreshOwner(entry.owner, claimed, joined);
      await this.shared.done(ids);
      return outcome;
    } catch (e) {
      await this.shared.release(ids);
      throw e;
    }
  }

  /** One refresh: one App Insights operation carrying the (latest) event's correlation id. */
  private refreshOwner(
    owner: OwningResource,
    events: ResourceEvent[],
    joined?: string,
  ): Promise<RefreshOutcome> {
    const latest = [...events].sort((a, b) => a.eventTime.localeCompare(b.eventTime)).pop() as ResourceEvent;
    const correlationId = latest.correlationId ?? latest.id;
    return runWithTraceparent(
      undefined,
      'refreshResource',
      () =>
        countingCalls(() =>
          withOperation({ correlationId }, async () => {
            const started = performance.now();
            let outcome: RefreshOutcome = 'failed';
            try {
              outcome = await this.refreshOnce(owner, events, latest, joined);
              return outcome;
            } finally {
              const calls = currentCallCounts();
              this.deps.metrics?.recordOperation({
                operation: 'eventRefresh',
                durationMs: performance.now() - started,
                success: outcome !== 'failed',
                items: 1,
                errors: outcome === 'failed' ? 1 : 0,
                events: events.length,
                apiCalls: calls?.apiCalls,
                correlationId,
                outcome,
                resourceType: owner.type,
                eventType: latest.eventType,
              });
            }
          }),
        ),
      {
        kind: 'consumer',
        attributes: { 'topdeck.correlationId': correlationId, 'topdeck.resourceId': owner.id },
      },
    );
  }

  private location(owner: OwningResource): { partitionKey: string; rowKey: string } {
    const p = parseResourceId(owner.id);
    return {
      partitionKey: resourcePartitionKey(
        p?.subscriptionId ?? '',
        findDedicated(owner.type)?.type ?? owner.type,
        p?.resourceGroup ?? '',
      ),
      rowKey: resourceRowKey(owner.id),
    };
  }

  private async refreshOnce(
    owner: OwningResource,
    events: ResourceEvent[],
    latest: ResourceEvent,
    /** the newest time of events other instances collapsed into this refresh */
    joined?: string,
  ): Promise<RefreshOutcome> {
    const { tables, logger } = this.deps;
    const log = logger.child({ resourceId: owner.id, eventType: latest.eventType, events: events.length });
    const where = this.location(owner);
    const before = await getEntityOrUndefined<Record<string, unknown>>(
      tables.resources,
      where.partitionKey,
      where.rowKey,
    );
    // What the row reflects: the last time it was read from Azure, by a scan or an event.
    // (the read's own time when the row has it: a write lands after its read, and a change made
    // in between is not reflected)
    const reflects =
      typeof before?.refreshedAt === 'string' && before.refreshedAt
        ? before.refreshedAt
        : before
          ? entityToResource(before).refreshedAt
          : undefined;
    const newest = joined && joined > latest.eventTime ? joined : latest.eventTime;
    if (reflects && newest < reflects) {
      log.debug('event older than the stored row: nothing to do', { eventTime: latest.eventTime, reflects });
      return 'stale';
    }
    // A delete of the resource itself needs no read; a child's delete changed its owner.
    const ownDelete = isDelete(latest) && latest.subject.toLowerCase() === owner.id.toLowerCase();
    let item: DiscoveredItem | undefined;
    // Before the read: a change made while the read is in flight is newer than the row.
    const readAt = this.now().toISOString();
    if (!ownDelete) {
      const discoverer = findDiscoverer(owner.type);
      if (!discoverer) return 'unsupported';
      try {
        item = (await readById(discoverer, owner.id, this.deps.arm, owner.type)).item;
        if (item && discoverer.generic && before) keepListingOnly(item, entityToResource(before).properties);
      } catch (e) {
        const error = classifyError(e, `reading ${owner.id}`);
        // a group deleted with its resources answers 404 on its listing: the resource is gone
        if (error.statusCode === 404) item = undefined;
        else if (error.transient) throw error;
        else {
          log.warn('resource could not be read; the row is kept as it was', {
            errorCode: error.code,
            statusCode: error.statusCode,
            reason: redactText(error.message).slice(0, 500),
          });
          return 'failed';
        }
      }
    }
    // deleted by the event's own time, or (a read that found nothing) by the time of the read
    if (!item) return this.remove(owner, before, latest, ownDelete ? latest.eventTime : readAt);
    return this.write(owner, item, before, latest, readAt);
  }

  private change(latest: ResourceEvent, c: Omit<ChangeItem, 'scanId' | 'at' | 'trigger'>): ChangeItem {
    return {
      scanId: eventBucketOf(latest.eventTime).scanId,
      at: latest.eventTime,
      trigger: 'event',
      ...c,
      ...(latest.actor ? { actor: latest.actor } : {}),
      ...(latest.operation ? { operation: latest.operation } : {}),
      ...(latest.correlationId ? { correlationId: latest.correlationId } : {}),
    };
  }

  private edgeChanges(
    latest: ResourceEvent,
    edges: Edge[],
    kind: 'edgeAdded' | 'edgeRemoved',
    of: (id: string) => { type: string; name: string },
  ): ChangeItem[] {
    return edges.map((e) =>
      this.change(latest, {
        kind,
        resourceId: e.sourceId,
        targetId: e.targetId,
        method: e.method,
        ...of(e.sourceId),
        subscriptionId: parseResourceId(e.sourceId)?.subscriptionId,
      }),
    );
  }

  private async write(
    owner: OwningResource,
    item: DiscoveredItem,
    before: Record<string, unknown> | undefined,
    latest: ResourceEvent,
    readAt: string,
  ): Promise<RefreshOutcome> {
    const { tables, changeLog } = this.deps;
    const seenAt = this.now().toISOString();
    const type = findDedicated(owner.type)?.type ?? item.type;
    const bucket = eventBucketOf(latest.eventTime).scanId;
    const draft: TableEntity = primaryEntity(item, {
      scanId: typeof before?.scanId === 'string' && before.scanId ? before.scanId : bucket,
      seenAt,
      canonicalType: type,
      changedBy: latest.actor ?? '',
      readAt,
      ...(typeof before?.discoveredAt === 'string' ? { discoveredAt: before.discoveredAt } : {}),
    });
    if (item.status) draft.statusSeenAt = seenAt;
    const hash = typeof before?.hash === 'string' ? before.hash : undefined;
    const kind = !before?.id ? 'added' : isCurrentHash(hash) && hash !== draft.hash ? 'modified' : undefined;
    const stateChanged =
      (item.status !== undefined && item.status !== before?.status) ||
      (draft.powerState !== undefined && draft.powerState !== before?.powerState);
    if (!kind && !stateChanged) return 'unchanged';
    if (kind) {
      const change = this.change(latest, {
        kind,
        resourceId: item.id,
        type,
        name: item.name,
        subscriptionId: parseResourceId(item.id)?.subscriptionId,
        ...(kind === 'modified' && before ? { paths: diffContent(entityToResource(before), item) } : {}),
      });
      // the change first: a retry after the row is written finds it current and records nothing
      await changeLog.record([change]);
    } else {
      // a state change only (a VM stopped): the row's content and its last change stay
      delete draft.changedBy;
    }
    await upsertInBatches(tables.resources, [draft]);
    const stored = entityToResource(draft);
    const edges = await refreshEdges(
      { resources: tables.resources, store: this.deps.dependencies, nodes: () => this.deps.nodes.get() },
      item.id,
      stored,
      bucket,
    );
    const nameOf = (id: string) =>
      id.toLowerCase() === item.id.toLowerCase()
        ? { type, name: item.name }
        : { type: parseResourceId(id)?.type ?? 'unknown', name: parseResourceId(id)?.name ?? id };
    await changeLog.record([
      ...this.edgeChanges(latest, edges.added, 'edgeAdded', nameOf),
      ...this.edgeChanges(latest, edges.removed, 'edgeRemoved', nameOf),
    ]);
    await this.deps.invalidate();
    this.deps.logger.info('resource refreshed from an event', {
      resourceId: item.id,
      change: kind ?? 'state',
      edgesAdded: edges.added.length,
      edgesRemoved: edges.removed.length,
      actor: latest.actor,
    });
    return kind ?? 'state';
  }

  private async remove(
    owner: OwningResource,
    before: Record<string, unknown> | undefined,
    latest: ResourceEvent,
    deletedAt: string,
  ): Promise<RefreshOutcome> {
    // First, and even with no row yet: a scan page listed before the delete, not yet written,
    // must not write it back (src/scan/writeResources.ts skips what this marks).
    await recordTombstone(this.deps.tables.tombstones, { ...this.location(owner), id: owner.id, deletedAt });
    if (!before?.id) return 'gone';
    const resource = entityToResource(before);
    const edges = await this.deps.dependencies
      .outgoing(resource.id)
      .then(async (out) => [...out, ...(await this.deps.dependencies.incoming(resource.id))]);
    const nameOf = (id: string) =>
      id.toLowerCase() === resource.id.toLowerCase()
        ? { type: resource.type, name: resource.name }
        : { type: parseResourceId(id)?.type ?? 'unknown', name: parseResourceId(id)?.name ?? id };
    // changes, then edges, then the row: a retry after any step still finds what is left to do
    await this.deps.changeLog.record([
      this.change(latest, {
        kind: 'removed',
        resourceId: resource.id,
        type: resource.type,
        name: resource.name,
        subscriptionId: resource.subscriptionId,
      }),
      ...this.edgeChanges(latest, edges, 'edgeRemoved', nameOf),
    ]);
    await refreshEdges(
      {
        resources: this.deps.tables.resources,
        store: this.deps.dependencies,
        nodes: () => this.deps.nodes.get(),
      },
      resource.id,
      undefined,
      '',
    );
    const where = this.location(owner);
    try {
      await this.deps.tables.resources.deleteEntity(where.partitionKey, where.rowKey);
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode !== 404) throw e;
    }
    await this.deps.invalidate();
    this.deps.logger.info('resource removed by an event', {
      resourceId: resource.id,
      edgesRemoved: edges.length,
      actor: latest.actor,
    });
    return 'removed';
  }
}

/** What only the generic list says (createdTime, changedTime): kept from the stored row. */
function keepListingOnly(item: DiscoveredItem, stored: Record<string, unknown>): void {
  for (const k of LISTING_ONLY_PROPERTIES)
    if (item.properties[k] === undefined && stored[k] !== undefined) item.properties[k] = stored[k];
}
