import { randomUUID } from 'node:crypto';
import pLimit from 'p-limit';
import type { ArmClients } from '../discovery/armClients';
import type { Discoverer } from '../discovery/Discoverer';
import { FINALIZE_QUEUE, discoverQueueName, findDiscoverer } from '../discovery/registry';
import type { DiscoveredItem } from '../discovery/Resource';
import { classifyError } from '../errors/classifyError';
import type { TopDeckError } from '../errors/TopDeckError';
import type { QueueSender } from '../storage/queues';
import { ChangeLog } from '../changes/ChangeLog';
import type { ChangeItem } from '../changes/ChangeItem';
import { diffContent } from '../changes/diffContent';
import type { DependencyCounts } from '../dependencies/updateDependencies';
import {
  entityToResource,
  isCurrentHash,
  primaryEntity,
  stateEntity,
  type TableEntity,
} from '../storage/resourceEntity';
import { deleteInBatches, getEntityOrUndefined, upsertInBatches, type Tables } from '../storage/tables';
import { withOperation, type Logger } from '../telemetry/logger';
import type { OperationRecorder } from '../telemetry/operationMetrics';
import { redactText } from '../telemetry/redact';
import { describeFailure } from './describeFailure';
import { fetchJoinedPage, type JoinedPage } from './fetchJoinedPage';
import { planTasks } from './planTasks';
import { readExisting } from './readExisting';
import type { FinalizeMessage, PageMessage } from './messages';
import { TERMINAL_SCAN, TERMINAL_TASK, type ScanRow, type TaskRow } from './ScanRecords';
import type { PlannedTask, ScanExtension } from './ScanExtension';
import type { ScanStore } from './ScanStore';
import { encodeSeenKeys, seenKeyOf, seenKeySet } from './seenKeys';
import { summarizeTasks, type GroupedError } from './summarizeTasks';
import { taskScope, taskScopeFilter } from './taskScope';

export interface StartScanRequest {
  trigger: ScanRow['trigger'];
  subscriptionIds?: string[];
  resourceTypes?: string[];
  resourceGroup?: string;
  traceparent?: string;
}

export interface ScanServiceDeps {
  store: ScanStore;
  tables: Tables;
  queues: QueueSender;
  arm: ArmClients;
  logger: Logger;
  defaults: { subscriptionIds: string[]; resourceGroup?: string; watchdogMinutes: number };
  /** The change history (src/changes/ChangeLog.ts); built on `tables.changes` when absent. */
  changeLog?: ChangeLog;
  /** Finalize's dependency step (src/dependencies/updateDependencies.ts); none when absent. */
  dependencies?: (scanId: string, at: string) => Promise<DependencyCounts>;
  /** Called once a scan reaches a terminal status (cache invalidation, metrics). */
  onScanFinalized?: (scan: ScanRow) => Promise<void>;
  /** Page and scan metrics (Application Insights); none when absent. */
  metrics?: OperationRecorder;
  /** Work besides the Azure types in the same scans (Azure DevOps). */
  extensions?: ScanExtension[];
  now?: () => Date;
}

/** Where a queue message came from, as the trigger reports it. */
export interface DeliveryInfo {
  messageId: string;
  dequeueCount: number;
}

export function taskIdFor(
  subscriptionId: string,
  d: Discoverer,
  resourceGroup?: string,
  resourceType?: string,
): string {
  return [
    subscriptionId,
    d.slug,
    // the generic listing runs one task per type (`/` is not allowed in a table key)
    ...(d.generic && resourceType ? [`type=${resourceType.toLowerCase().replace(/\//g, ':')}`] : []),
    ...(resourceGroup ? [`rg=${resourceGroup.toLowerCase()}`] : []),
  ].join('|');
}

/** Scan orchestration: start, one page at a time, finalize exactly once, poison and watchdog. */
export class ScanService {
  private readonly now: () => Date;
  private readonly changeLog: ChangeLog;

  constructor(private readonly deps: ScanServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.changeLog =
      deps.changeLog ??
      new ChangeLog(deps.tables.changes, () => deps.store.listScans(Number.MAX_SAFE_INTEGER));
  }

  async startScan(request: StartScanRequest): Promise<ScanRow> {
    const scanId = `${this.now()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z')}-${randomUUID().slice(0, 8)}`;
    // Every line of this scan carries its id as the correlation id.
    return withOperation({ correlationId: scanId }, () => this.launchScan(scanId, request));
  }

  private async launchScan(scanId: string, request: StartScanRequest): Promise<ScanRow> {
    const { store, arm, logger } = this.deps;
    const resourceGroup = request.resourceGroup ?? this.deps.defaults.resourceGroup;
    let subscriptionIds = request.subscriptionIds?.length
      ? request.subscriptionIds
      : this.deps.defaults.subscriptionIds;
    if (!subscriptionIds.length) subscriptionIds = await arm.listSubscriptionIds();
    subscriptionIds = [...new Set(subscriptionIds.map((s) => s.toLowerCase()))];
    const planned = await planTasks(
      { arm, store, logger },
      subscriptionIds,
      resourceGroup,
      request.resourceTypes,
    );
    const startedAt = this.now().toISOString();
    const tasks: TaskRow[] = planned.map((p) => ({
      taskId: taskIdFor(p.subscriptionId, p.discoverer, resourceGroup, p.resourceType),
      subscriptionId: p.subscriptionId,
      resourceType: p.resourceType,
      ...(resourceGroup ? { resourceGroup } : {}),
      status: 'pending',
      updatedAt: startedAt,
    }));
    const extensionQueues = new Map<string, string>();
    for (const extension of this.deps.extensions ?? []) {
      for (const planned of await extension.planTasks({ scanId, resourceTypes: request.resourceTypes })) {
        tasks.push({ ...planned.task, status: 'pending', updatedAt: startedAt });
        extensionQueues.set(planned.task.taskId, planned.queueName);
      }
    }
    const scan: ScanRow = {
      scanId,
      status: 'queued',
      trigger: request.trigger,
      startedAt,
      correlationId: scanId,
      subscriptionIds: JSON.stringify(subscriptionIds),
      resourceTypes: JSON.stringify([...new Set(tasks.map((t) => t.resourceType))]),
      ...(resourceGroup ? { resourceGroup } : {}),
      tasksTotal: tasks.length,
      ...(request.traceparent ? { traceparent: request.traceparent } : {}),
    };
    await store.createScan(scan);
    await store.createTasks(scanId, tasks);
    const log = logger.child({ scanId });
    if (!tasks.length) {
      log.warn(
        subscriptionIds.length
          ? 'scan has no tasks: the subscriptions hold no resources'
          : 'scan has no tasks: no subscription is visible to the identity',
        { subscriptions: subscriptionIds.length },
      );
      await this.enqueueFinalize(scanId, 'tasks-done', request.traceparent);
      return scan;
    }
    // Running before the first message goes out: a fast scan may finalize before this returns.
    await store.updateScan(scanId, { status: 'running' });
    const limit = pLimit(16);
    await Promise.all(
      tasks.map((t) =>
        limit(() => {
          const queueName =
            extensionQueues.get(t.taskId) ?? discoverQueueName(findDiscoverer(t.resourceType) as Discoverer);
          const message: PageMessage = {
            kind: 'page',
            scanId,
            taskId: t.taskId,
            subscriptionId: t.subscriptionId,
            resourceType: t.resourceType,
            ...(t.resourceGroup ? { resourceGroup: t.resourceGroup } : {}),
            ...(t.project ? { project: t.project } : {}),
            page: 1,
            correlationId: scanId,
            ...(request.traceparent ? { traceparent: request.traceparent } : {}),
          };
          return this.deps.queues.send(queueName, message);
        }),
      ),
    );
    log.info('scan started', {
      tasks: tasks.length,
      subscriptions: subscriptionIds.length,
      trigger: request.trigger,
    });
    return { ...scan, status: 'running' };
  }

  /**
   * One page of one task. Safe to run twice and to retry after a crash at any line:
   * the page marker is claimed by message id, writes are upserts keyed by resource id,
   * and completion is derived from the markers, not from counters.
   */
  async processPage(
    msg: PageMessage,
    delivery: DeliveryInfo,
  ): Promise<'done' | 'duplicate' | 'skipped' | 'failed'> {
    const startedMs = performance.now();
    const tally = { items: 0, added: 0, modified: 0 };
    let outcome: 'done' | 'duplicate' | 'skipped' | 'failed' | 'error' = 'error';
    try {
      outcome = await this.processPageOnce(msg, delivery, tally);
      return outcome;
    } finally {
      this.deps.metrics?.recordOperation({
        operation: 'scanPage',
        durationMs: performance.now() - startedMs,
        success: outcome !== 'failed' && outcome !== 'error',
        errors: outcome === 'failed' || outcome === 'error' ? 1 : 0,
        ...tally,
        ...this.deps.metrics.callCounts(),
        correlationId: msg.scanId,
        outcome,
        resourceType: msg.resourceType,
      });
    }
  }

  private async processPageOnce(
    msg: PageMessage,
    delivery: DeliveryInfo,
    tally: { items: number; added: number; modified: number },
  ): Promise<'done' | 'duplicate' | 'skipped' | 'failed'> {
    const { store, logger } = this.deps;
    const log = logger.child({ scanId: msg.scanId, taskId: msg.taskId, page: msg.page });
    log.debug('page started', { dequeueCount: delivery.dequeueCount });
    const nowIso = this.now().toISOString();
    // The task read and the page claim go together: they sit on every page's critical path.
    const [task, claimed] = await Promise.all([
      store.getTask(msg.scanId, msg.taskId),
      store.claimPage(msg.scanId, {
        taskId: msg.taskId,
        page: msg.page,
        state: 'claimed',
        messageId: delivery.messageId,
        updatedAt: nowIso,
      }),
    ]);
    if (!task) {
      log.warn('page message for an unknown task dropped', { reason: 'no such scan task' });
      return 'duplicate';
    }
    if (TERMINAL_TASK.includes(task.status)) return 'duplicate';
    if (!claimed) {
      const marker = await store.getPageMarker(msg.scanId, msg.taskId, msg.page);
      if (marker && marker.messageId !== delivery.messageId) {
        log.info('duplicate page message ignored', { claimedBy: marker.messageId });
        return 'duplicate';
      }
      if (marker?.state === 'done') {
        await this.completeTaskIfDone(msg);
        return 'duplicate';
      }
      // Our own earlier attempt claimed it and did not finish: carry on.
    }
    if (task.status === 'pending' && msg.page === 1) {
      await store.updateTask(msg.scanId, msg.taskId, {
        status: 'running',
        startedAt: nowIso,
        updatedAt: nowIso,
      });
    }

    const extension = this.extensionFor(msg.resourceType);
    if (extension) return this.processExtensionPage(extension, msg, delivery, task);
    const discoverer = findDiscoverer(msg.resourceType);
    if (!discoverer) {
      await this.failTask(
        msg,
        `no discoverer for ${msg.resourceType}: this build does not know the type`,
        'UnknownResourceType',
      );
      return 'failed';
    }

    const ctx = {
      subscriptionId: msg.subscriptionId,
      resourceGroup: msg.resourceGroup,
      resourceType: msg.resourceType,
      arm: this.deps.arm,
    };
    let fetched: JoinedPage;
    const listedAt = this.now().toISOString();
    try {
      fetched = await fetchJoinedPage(discoverer, ctx, msg);
      log.debug('page fetched', { items: fetched.items.length, more: Boolean(fetched.next) });
      // The next page's fetch overlaps this page's writes.
      if (fetched.next) {
        await this.deps.queues.send(discoverQueueName(discoverer), {
          ...msg,
          ...fetched.next,
          page: msg.page + 1,
        } satisfies PageMessage);
      }
      if (discoverer.enrich && fetched.items.length)
        fetched.items = await discoverer.enrich(fetched.items, ctx);
    } catch (e) {
      return this.handlePageError(
        msg,
        classifyError(e, `listing ${msg.resourceType} page ${msg.page}`),
        delivery,
      );
    }
    const { items, stateOnly, skipped, warnings } = fetched;
    if (skipped.length) {
      log.warn('items in an unexpected shape skipped; the rest of the page is kept', {
        skipped: skipped.length,
        sample: skipped.slice(0, 3),
      });
    }
    const continuationToken = fetched.next;
    let counts: { added: number; modified: number; seen: string };
    try {
      counts = await this.writeItems(msg, discoverer, items, stateOnly, listedAt);
    } catch (e) {
      return this.handlePageError(
        msg,
        classifyError(e, `writing ${msg.resourceType} page ${msg.page}`),
        delivery,
        'write',
      );
    }
    Object.assign(tally, { items: items.length, added: counts.added, modified: counts.modified });
    const doneAt = this.now().toISOString();
    await store.updatePageMarker(msg.scanId, msg.taskId, msg.page, {
      state: 'done',
      isLast: !continuationToken,
      items: items.length,
      stateItems: stateOnly.length,
      skippedItems: skipped.length,
      ...(skipped[0]
        ? { skippedSample: redactText(`${skipped[0].id}: ${skipped[0].error}`).slice(0, 1000) }
        : {}),
      added: counts.added,
      modified: counts.modified,
      seen: counts.seen,
      ...(warnings.length ? { warnings: redactText(JSON.stringify(warnings)).slice(0, 4000) } : {}),
      updatedAt: doneAt,
    });
    // Progress lives in the page markers (the watchdog reads them); the task row is written only
    // to clear an error an earlier delivery recorded.
    if (task.lastError) await store.updateTask(msg.scanId, msg.taskId, { updatedAt: doneAt, lastError: '' });
    log.debug('page done', {
      items: items.length,
      stateOnly: stateOnly.length,
      more: Boolean(continuationToken),
      added: counts.added,
      modified: counts.modified,
    });
    await this.completeTaskIfDone(msg);
    return 'done';
  }

  /** A page of an extension's task: the same claim, markers and completion as an Azure page. */
  private async processExtensionPage(
    extension: ScanExtension,
    msg: PageMessage,
    delivery: DeliveryInfo,
    task: TaskRow,
  ): Promise<'done' | 'skipped' | 'failed'> {
    let counts: { items: number; added: number; modified: number };
    let next: string | undefined;
    try {
      const page = await extension.fetchPage(msg);
      next = page.continuationToken;
      if (next) {
        await this.deps.queues.send(extension.queueName(msg.resourceType), {
          ...msg,
          continuationToken: next,
          page: msg.page + 1,
        } satisfies PageMessage);
      }
      counts = await page.write();
      if (page.spawn?.length) await this.spawnTasks(msg, page.spawn);
    } catch (e) {
      return this.handlePageError(msg, classifyError(e, `${msg.resourceType} page ${msg.page}`), delivery);
    }
    const doneAt = this.now().toISOString();
    await this.deps.store.updatePageMarker(msg.scanId, msg.taskId, msg.page, {
      state: 'done',
      isLast: !next,
      ...counts,
      updatedAt: doneAt,
    });
    if (task.lastError)
      await this.deps.store.updateTask(msg.scanId, msg.taskId, { updatedAt: doneAt, lastError: '' });
    await this.completeTaskIfDone(msg);
    return 'done';
  }

  /**
   * Tasks a page found, added to its running scan before that page is marked done (so the scan
   * cannot finalize without them); a redelivery adds nothing twice and its page-1 messages lose
   * the page claim.
   */
  private async spawnTasks(msg: PageMessage, planned: PlannedTask[]): Promise<void> {
    const at = this.now().toISOString();
    await this.deps.store.addTasks(
      msg.scanId,
      planned.map((p) => ({ ...p.task, status: 'pending', updatedAt: at })),
    );
    const tasks = await this.deps.store.listTasks(msg.scanId);
    await this.deps.store.updateScan(msg.scanId, {
      tasksTotal: tasks.length,
      resourceTypes: JSON.stringify([...new Set(tasks.map((t) => t.resourceType))]),
    });
    for (const p of planned) {
      await this.deps.queues.send(p.queueName, {
        kind: 'page',
        scanId: msg.scanId,
        taskId: p.task.taskId,
        subscriptionId: p.task.subscriptionId,
        resourceType: p.task.resourceType,
        ...(p.task.project ? { project: p.task.project } : {}),
        page: 1,
        correlationId: msg.correlationId,
        ...(msg.traceparent ? { traceparent: msg.traceparent } : {}),
      } satisfies PageMessage);
    }
  }

  private extensionFor(resourceType: string): ScanExtension | undefined {
    return this.deps.extensions?.find((x) => x.owns(resourceType));
  }

  private async writeItems(
    msg: PageMessage,
    discoverer: Discoverer,
    items: DiscoveredItem[],
    stateOnly: DiscoveredItem[],
    listedAt = '',
  ): Promise<{ added: number; modified: number; seen: string }> {
    const { tables } = this.deps;
    const seenAt = this.now().toISOString();
    // The generic listing's items keep the type Azure gave them; a dedicated type has one spelling.
    const typeOf = (item: DiscoveredItem): string => (discoverer.generic ? item.type : discoverer.type);
    const stamp = { scanId: msg.scanId, seenAt, canonicalType: discoverer.type, readAt: listedAt || seenAt };
    const drafts = items.map((item) => primaryEntity(item, { ...stamp, canonicalType: typeOf(item) }));
    const states = stateOnly.map((i) => stateEntity(i, { ...stamp, canonicalType: typeOf(i) }));
    const existing = await readExisting(tables.resources, [...drafts, ...states]);
    let added = 0;
    let modified = 0;
    const writes: TableEntity[] = [];
    const changes: ChangeItem[] = [];
    const toDiff: Array<{ draft: TableEntity; item: DiscoveredItem; change: ChangeItem }> = [];
    drafts.forEach((draft, i) => {
      const before = existing.get(draft.rowKey);
      const item = items[i] as DiscoveredItem;
      // An event re-read it after this page was listed (src/events): the row is newer than the page.
      if (before?.refreshedAt && before.scanId !== msg.scanId && before.refreshedAt > listedAt) return;
      if (before?.discoveredAt) draft.discoveredAt = before.discoveredAt;
      // A row this scan already wrote (an attempt that died before marking the page done) keeps
      // the change that attempt found, so a retry counts the same (its change rows exist already).
      const retried = Boolean(before) && before?.scanId === msg.scanId;
      const kind: 'added' | 'modified' | undefined = retried
        ? ((before?.changeKind || undefined) as 'added' | 'modified' | undefined)
        : !before?.id
          ? 'added'
          : isCurrentHash(before.hash) && before.hash !== draft.hash
            ? 'modified'
            : undefined;
      draft.changeKind = kind ?? '';
      if (kind === 'added') added++;
      else if (kind === 'modified') modified++;
      // An unchanged row is not rewritten: its lastSeenAt is derived from the scan's coverage.
      const unchanged =
        !retried &&
        !kind &&
        before !== undefined &&
        before.hash === draft.hash &&
        (draft.status === undefined || draft.status === before.status) &&
        (draft.powerState === undefined || draft.powerState === before.powerState);
      if (unchanged) return;
      writes.push(draft);
      if (!kind || retried) return;
      const change: ChangeItem = {
        scanId: msg.scanId,
        at: seenAt,
        kind,
        resourceId: item.id,
        type: typeOf(item),
        name: item.name,
        subscriptionId: msg.subscriptionId,
      };
      changes.push(change);
      if (kind === 'modified') toDiff.push({ draft, item, change });
    });
    for (const s of states) {
      const before = existing.get(s.rowKey);
      if (!before || before.status !== s.status || (s.powerState && before.powerState !== s.powerState))
        writes.push(s);
    }
    // What changed, against the stored version: one point read per modified row (few per scan).
    await Promise.all(
      toDiff.map(async ({ draft, item, change }) => {
        const old = await getEntityOrUndefined(tables.resources, draft.partitionKey, draft.rowKey);
        if (old) change.paths = diffContent(entityToResource(old), item);
      }),
    );
    // Changes first: a retry after the rows are written finds them and does not record them again.
    await this.changeLog.record(changes);
    await upsertInBatches(tables.resources, writes);
    return { added, modified, seen: encodeSeenKeys(drafts.map((d) => d.rowKey)) };
  }

  private async handlePageError(
    msg: PageMessage,
    error: TopDeckError,
    delivery: DeliveryInfo,
    stage: 'list' | 'write' = 'list',
  ): Promise<'skipped' | 'failed'> {
    const log = this.deps.logger.child({ scanId: msg.scanId, taskId: msg.taskId, page: msg.page });
    if (error.transient) {
      // Recorded so the poison handler can say why, then thrown: queue redelivery is the outer retry.
      await this.deps.store.updateTask(msg.scanId, msg.taskId, {
        lastError: redactText(`${error.code}: ${error.message}`).slice(0, 2000),
        updatedAt: this.now().toISOString(),
      });
      log.warn('page failed transiently; the queue will redeliver it', {
        errorCode: error.code,
        statusCode: error.statusCode,
        dequeueCount: delivery.dequeueCount,
      });
      throw error;
    }
    const failure =
      stage === 'write'
        ? {
            kind: 'fail' as const,
            message: `Table Storage refused the page (${error.statusCode ?? ''} ${error.code}): ${error.message}; check AzureWebJobsStorage and that the identity has Storage Table Data Contributor`,
          }
        : this.extensionFor(msg.resourceType)
          ? {
              kind: 'fail' as const,
              message: this.extensionFor(msg.resourceType)?.describeFailure(error, msg) ?? '',
            }
          : describeFailure(error, msg);
    if (failure.kind === 'skip') {
      await this.finishTask(msg, 'skipped', { error: failure.message, errorCode: error.code });
      log.info('task skipped', { reason: failure.message });
      return 'skipped';
    }
    await this.failTask(msg, failure.message, error.code);
    return 'failed';
  }

  private async failTask(
    msg: Pick<PageMessage, 'scanId' | 'taskId' | 'traceparent'>,
    message: string,
    code: string,
  ): Promise<void> {
    this.deps.logger.error('task failed', {
      scanId: msg.scanId,
      taskId: msg.taskId,
      errorCode: code,
      reason: message,
    });
    await this.finishTask(msg, 'failed', { error: redactText(message).slice(0, 2000), errorCode: code });
  }

  private async finishTask(
    msg: Pick<PageMessage, 'scanId' | 'taskId' | 'traceparent'>,
    status: 'completed' | 'failed' | 'skipped',
    fields: Partial<TaskRow>,
  ): Promise<void> {
    const at = this.now().toISOString();
    await this.deps.store.updateTask(msg.scanId, msg.taskId, {
      status,
      completedAt: at,
      updatedAt: at,
      ...fields,
    });
    await this.finalizeIfAllTasksDone(msg.scanId, msg.traceparent);
  }

  /** A task is complete when the last page is known and every page before it is done. */
  private async completeTaskIfDone(msg: PageMessage): Promise<void> {
    const markers = await this.deps.store.listPageMarkers(msg.scanId, msg.taskId);
    const done = markers.filter((m) => m.state === 'done');
    const last = done.find((m) => m.isLast);
    if (!last || done.length < last.page) return;
    const sum = (k: 'items' | 'added' | 'modified' | 'skippedItems') =>
      done.reduce((n, m) => n + (m[k] ?? 0), 0);
    const sample = done.find((m) => m.skippedSample)?.skippedSample;
    const warnings = mergeWarnings(done.map((m) => m.warnings));
    await this.finishTask(msg, 'completed', {
      pages: done.length,
      items: sum('items'),
      added: sum('added'),
      modified: sum('modified'),
      skippedItems: sum('skippedItems'),
      ...(sample ? { skippedSample: sample } : {}),
      ...(warnings ? { warnings } : {}),
    });
  }

  private async finalizeIfAllTasksDone(scanId: string, traceparent?: string): Promise<void> {
    const tasks = await this.deps.store.listTasks(scanId);
    if (!tasks.every((t) => TERMINAL_TASK.includes(t.status))) return;
    if (await this.deps.store.claimFinalize(scanId, 'tasks-done')) {
      await this.enqueueFinalize(scanId, 'tasks-done', traceparent);
    }
  }

  private async enqueueFinalize(
    scanId: string,
    reason: FinalizeMessage['reason'],
    traceparent?: string,
  ): Promise<void> {
    const message: FinalizeMessage = {
      kind: 'finalize',
      scanId,
      reason,
      correlationId: scanId,
      ...(traceparent ? { traceparent } : {}),
    };
    await this.deps.queues.send(FINALIZE_QUEUE, message);
  }

  /** A page message that exhausted its deliveries: its task fails with the last recorded reason. */
  async handlePoison(msg: PageMessage): Promise<void> {
    const task = await this.deps.store.getTask(msg.scanId, msg.taskId);
    if (!task || TERMINAL_TASK.includes(task.status)) return;
    const reason = task.lastError
      ? `page ${msg.page} failed on every delivery and went to the poison queue; last error: ${task.lastError}`
      : `page ${msg.page} failed on every delivery and went to the poison queue`;
    await this.failTask(msg, reason, 'PoisonMessage');
  }

  /** The finalize message itself kept failing: the scan ends partial rather than waiting forever. */
  async handleFinalizePoison(msg: FinalizeMessage, reason: string): Promise<void> {
    const scan = await this.deps.store.getScan(msg.scanId);
    if (!scan || TERMINAL_SCAN.includes(scan.status)) return;
    const errors: GroupedError[] = [{ code: 'FinalizeFailed', count: 1, message: reason, tasks: [] }];
    await this.deps.store.updateScan(msg.scanId, {
      status: 'partial',
      completedAt: this.now().toISOString(),
      errors: JSON.stringify(errors),
    });
    this.deps.logger.error('finalize went to the poison queue; scan ended partial', {
      scanId: msg.scanId,
      reason,
    });
  }

  /**
   * Exactly-once effects: a scan already in a terminal state is left alone, and every
   * step before the final status write is idempotent, so a retry after a crash redoes it.
   */
  async finalize(msg: FinalizeMessage): Promise<ScanRow | undefined> {
    const { store, logger } = this.deps;
    const scan = await store.getScan(msg.scanId);
    if (!scan) {
      logger.warn('finalize message for an unknown scan dropped', { scanId: msg.scanId });
      return undefined;
    }
    if (TERMINAL_SCAN.includes(scan.status)) return scan;
    const log = logger.child({ scanId: msg.scanId });
    const at = this.now().toISOString();
    let tasks = await store.listTasks(msg.scanId);
    if (msg.reason === 'watchdog') {
      for (const t of tasks.filter((t) => !TERMINAL_TASK.includes(t.status))) {
        const error = `no progress for ${this.deps.defaults.watchdogMinutes} minutes; the watchdog ended the task${t.lastError ? ` (last error: ${t.lastError})` : ''}`;
        await store.updateTask(msg.scanId, t.taskId, {
          status: 'failed',
          error,
          errorCode: 'Stalled',
          completedAt: at,
          updatedAt: at,
        });
      }
      tasks = await store.listTasks(msg.scanId);
    }

    // Nothing lost: only an Azure task that finished every page cleanly may remove rows (a task
    // that skipped items did not see everything), and only its scopes count as seen now.
    const clean = tasks.filter(
      (t) => t.status === 'completed' && !t.skippedItems && !this.extensionFor(t.resourceType),
    );
    // Tasks' scopes are disjoint: their removals go 4 at a time (an error still fails finalize).
    const limit = pLimit(4);
    const removedByTask = await Promise.all(clean.map((t) => limit(() => this.removeUnseen(scan, t))));
    const removed = removedByTask.reduce((a, b) => a + b, 0);
    log.debug('finalize: unseen rows removed', { removed, tasks: clean.length });
    await store.recordCoverage(
      clean.map((t) => ({ scope: taskScope(t), scanId: msg.scanId, at: t.completedAt ?? at })),
    );
    const summary = summarizeTasks(tasks);
    // A scan the watchdog ended is partial (design.md): it stopped, it did not fail outright.
    const noSubscriptions = !(JSON.parse(scan.subscriptionIds || '[]') as string[]).length;
    const status: ScanRow['status'] =
      tasks.length === 0
        ? noSubscriptions
          ? 'failed'
          : 'completed'
        : summary.failed === 0
          ? summary.skippedItems
            ? 'partial'
            : 'completed'
          : summary.completed + summary.skipped > 0 || msg.reason === 'watchdog'
            ? 'partial'
            : 'failed';
    const errors = summary.errors;
    // An extension's own finalize step (application inference) adds its errors, never fails the scan.
    for (const extension of this.deps.extensions ?? []) {
      try {
        errors.push(...((await extension.finalize?.(scan, tasks)) ?? []));
      } catch (e) {
        const error = classifyError(e, 'scan extension finalize');
        log.error('extension finalize failed; the scan keeps its results', { errorCode: error.code });
        errors.push({ code: error.code, count: 1, message: redactText(error.message), tasks: [] });
      }
    }
    // After the extensions: the graph links applications (which they infer) to what they hold.
    log.debug('finalize: extensions done');
    const graph = this.deps.dependencies
      ? await this.deps.dependencies(msg.scanId, at)
      : { dependencies: 0, edgesAdded: 0, edgesRemoved: 0 };
    log.debug('finalize: dependency graph stored', { ...graph });
    if (tasks.length === 0 && !JSON.parse(scan.subscriptionIds || '[]').length)
      errors.push({
        code: 'NoSubscriptions',
        count: 1,
        message: 'no subscription is visible to the identity: set AZURE_SUBSCRIPTION_IDS or grant Reader',
        tasks: [],
      });
    const final: Partial<ScanRow> = {
      status,
      completedAt: at,
      tasksCompleted: summary.completed,
      tasksFailed: summary.failed,
      tasksSkipped: summary.skipped,
      resources: summary.resources,
      dependencies: graph.dependencies,
      edgesAdded: graph.edgesAdded,
      edgesRemoved: graph.edgesRemoved,
      added: summary.added,
      modified: summary.modified,
      removed,
      pages: summary.pages,
      errors: JSON.stringify(errors),
    };
    await store.updateScan(msg.scanId, final);
    const result = { ...scan, ...final } as ScanRow;
    if (this.deps.onScanFinalized) await this.deps.onScanFinalized(result);
    this.deps.metrics?.recordOperation({
      operation: 'scan',
      durationMs: Date.parse(at) - Date.parse(scan.startedAt),
      success: status === 'completed',
      items: final.resources,
      errors: summary.failed,
      pages: final.pages,
      added: final.added,
      modified: final.modified,
      removed,
      tasksFailed: summary.failed,
      tasksSkipped: summary.skipped,
      correlationId: msg.scanId,
      status,
      trigger: scan.trigger,
    });
    log.info('scan finalized', {
      status,
      resources: final.resources,
      added: final.added,
      modified: final.modified,
      removed,
      tasksFailed: summary.failed,
      durationMs: Date.parse(at) - Date.parse(scan.startedAt),
    });
    return result;
  }

  /**
   * Rows of the task's partitions that none of its pages listed: removed from Azure. A row another
   * scan running alongside wrote after this one started is present, not removed.
   */
  private async removeUnseen(scan: ScanRow, task: TaskRow): Promise<number> {
    const { tables, store } = this.deps;
    const scanId = scan.scanId;
    const seen = seenKeySet((await store.listPageMarkers(scanId, task.taskId)).map((m) => m.seen));
    const filter = taskScopeFilter(task);
    const gone: Array<{ partitionKey: string; rowKey: string; id?: string; name?: string }> = [];
    for await (const e of tables.resources.listEntities<{
      id?: string;
      name?: string;
      lastSeenAt?: string;
      statusSeenAt?: string;
    }>({
      queryOptions: {
        filter,
        select: ['PartitionKey', 'RowKey', 'id', 'name', 'lastSeenAt', 'statusSeenAt'],
      },
    })) {
      if (seen.has(seenKeyOf(e.rowKey as string))) continue;
      const written = [e.lastSeenAt, e.statusSeenAt]
        .filter((t): t is string => Boolean(t))
        .sort()
        .pop();
      if (written && written >= scan.startedAt) continue;
      gone.push({
        partitionKey: e.partitionKey as string,
        rowKey: e.rowKey as string,
        id: e.id,
        name: e.name,
      });
    }
    if (!gone.length) return 0;
    const at = this.now().toISOString();
    const records: ChangeItem[] = gone
      .filter((g) => g.id)
      .map((g) => ({
        scanId,
        at,
        kind: 'removed',
        resourceId: g.id as string,
        name: g.name ?? '',
        type: task.resourceType,
        subscriptionId: task.subscriptionId,
      }));
    await this.changeLog.record(records);
    await deleteInBatches(tables.resources, gone);
    return records.length;
  }

  /**
   * Ends scans whose tasks stopped moving: every task terminal but no finalize seen
   * (a crash between claim and enqueue), or no task updated for the watchdog period.
   */
  async watchdog(): Promise<string[]> {
    const { store, logger } = this.deps;
    const now = this.now().getTime();
    const staleMs = this.deps.defaults.watchdogMinutes * 60_000;
    const ended: string[] = [];
    for (const scan of await store.listScans(200)) {
      if (TERMINAL_SCAN.includes(scan.status)) continue;
      const tasks = await store.listTasks(scan.scanId);
      const markers = await store.listPageMarkers(scan.scanId);
      const lastMove = Math.max(
        Date.parse(scan.startedAt),
        ...tasks.map((t) => Date.parse(t.updatedAt) || 0),
        ...markers.map((m) => Date.parse(m.updatedAt) || 0),
      );
      const allDone = tasks.every((t) => TERMINAL_TASK.includes(t.status));
      if (now - lastMove < (allDone ? Math.min(staleMs, 120_000) : staleMs)) continue;
      logger.warn('watchdog ends a stalled scan', {
        scanId: scan.scanId,
        idleMinutes: Math.round((now - lastMove) / 60_000),
      });
      await this.enqueueFinalize(scan.scanId, allDone ? 'tasks-done' : 'watchdog', scan.traceparent);
      ended.push(scan.scanId);
    }
    return ended;
  }
}

/** One entry per warning code over a task's pages (JSON), so a task reports each problem once. */
function mergeWarnings(perPage: Array<string | undefined>): string | undefined {
  const byCode = new Map<string, { code: string; message: string; count: number }>();
  for (const json of perPage) {
    if (!json) continue;
    try {
      for (const w of JSON.parse(json) as Array<{ code: string; message: string }>) {
        const seen = byCode.get(w.code);
        if (seen) seen.count++;
        else byCode.set(w.code, { ...w, count: 1 });
      }
    } catch {
      // a cut-off list (over 4,000 characters) is still reported by the pages that parse
    }
  }
  return byCode.size ? JSON.stringify([...byCode.values()]) : undefined;
}
