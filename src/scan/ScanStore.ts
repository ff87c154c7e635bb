import type { TableClient } from '@azure/data-tables';
import {
  COVERAGE_PARTITION,
  FINALIZE_ROW_KEY,
  escapeKeyPart,
  SCAN_PARTITION,
  odataString,
  pageMarkerRowKey,
  prefixEnd,
  prefixFilter,
  taskNoteRowKey,
  taskRowKey,
} from '../storage/keys';
import { MAX_BATCH, getEntityOrUndefined, insertIfAbsent, upsertInBatches } from '../storage/tables';
import { upsertTransaction } from '../storage/upsertTransaction';
import type { CoverageRow, PageMarkerRow, ScanRow, TaskRow } from './ScanRecords';

type Row<T> = T & { partitionKey: string; rowKey: string };

/** Reads and writes of the `scans` and `scantasks` tables. */
export class ScanStore {
  constructor(
    private readonly scans: TableClient,
    private readonly tasks: TableClient,
  ) {}

  async createScan(scan: ScanRow): Promise<void> {
    await this.scans.createEntity({ partitionKey: SCAN_PARTITION, rowKey: scan.scanId, ...scan });
  }

  async getScan(scanId: string): Promise<ScanRow | undefined> {
    return getEntityOrUndefined<ScanRow>(this.scans, SCAN_PARTITION, scanId);
  }

  async updateScan(scanId: string, fields: Partial<ScanRow>): Promise<void> {
    await this.scans.updateEntity({ partitionKey: SCAN_PARTITION, rowKey: scanId, ...fields }, 'Merge');
  }

  /** Newest first. The partition stays small (one row per scan). */
  async listScans(limit: number): Promise<ScanRow[]> {
    const rows: ScanRow[] = [];
    for await (const r of this.scans.listEntities<ScanRow>({
      queryOptions: { filter: `PartitionKey eq ${odataString(SCAN_PARTITION)}` },
    })) {
      rows.push(r);
    }
    return rows.sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, limit);
  }

  /** Coverage rows live in the scans table, partition `coverage`: one per listed scope, small. */
  async recordCoverage(rows: CoverageRow[]): Promise<void> {
    if (!rows.length) return;
    await upsertInBatches(
      this.scans,
      rows.map((r) => ({ partitionKey: COVERAGE_PARTITION, rowKey: escapeKeyPart(r.scope), ...r })),
      'Replace',
    );
  }

  async listCoverage(): Promise<CoverageRow[]> {
    const rows: CoverageRow[] = [];
    for await (const r of this.scans.listEntities<CoverageRow>({
      queryOptions: { filter: `PartitionKey eq ${odataString(COVERAGE_PARTITION)}` },
    }))
      rows.push({ scope: r.scope, scanId: r.scanId, at: r.at });
    return rows;
  }

  async createTasks(scanId: string, tasks: TaskRow[]): Promise<void> {
    await upsertInBatches(
      this.tasks,
      tasks.map((t) => ({ partitionKey: scanId, rowKey: taskRowKey(t.taskId), ...t })),
      'Replace',
    );
  }

  /** Adds tasks to a running scan; a task that exists already is left as it is (a redelivery). */
  async addTasks(scanId: string, tasks: TaskRow[]): Promise<void> {
    for (const t of tasks) {
      await insertIfAbsent(this.tasks, { partitionKey: scanId, rowKey: taskRowKey(t.taskId), ...t });
    }
  }

  async getTask(scanId: string, taskId: string): Promise<TaskRow | undefined> {
    return getEntityOrUndefined<TaskRow>(this.tasks, scanId, taskRowKey(taskId));
  }

  async updateTask(scanId: string, taskId: string, fields: Partial<TaskRow>): Promise<void> {
    await this.tasks.updateEntity({ partitionKey: scanId, rowKey: taskRowKey(taskId), ...fields }, 'Merge');
  }

  /**
   * Merges fields into many tasks of a scan (one partition): transactions of up to 100 rows, one
   * after another in the order given, so the last row is written only once every row before it is
   * (a chain's lead task goes last: it ends when its members have).
   */
  async updateTasks(
    scanId: string,
    updates: Array<{ taskId: string; fields: Partial<TaskRow> }>,
  ): Promise<void> {
    const rows = updates.map((u) => ({ partitionKey: scanId, rowKey: taskRowKey(u.taskId), ...u.fields }));
    for (let i = 0; i < rows.length; i += MAX_BATCH) {
      const chunk = rows.slice(i, i + MAX_BATCH);
      if (chunk.length === 1) await this.tasks.updateEntity(chunk[0] as (typeof rows)[number], 'Merge');
      else await upsertTransaction(this.tasks, chunk, 'Merge');
    }
  }

  async listTasks(scanId: string): Promise<TaskRow[]> {
    return this.rangeQuery<TaskRow>(scanId, 'task|');
  }

  /** Conditional insert: true when this message claimed the page, false when a row exists. */
  async claimPage(scanId: string, marker: PageMarkerRow): Promise<boolean> {
    return insertIfAbsent(this.tasks, {
      partitionKey: scanId,
      rowKey: pageMarkerRowKey(marker.taskId, marker.page),
      ...marker,
    });
  }

  async getPageMarker(scanId: string, taskId: string, page: number): Promise<PageMarkerRow | undefined> {
    return getEntityOrUndefined<PageMarkerRow>(this.tasks, scanId, pageMarkerRowKey(taskId, page));
  }

  async updatePageMarker(
    scanId: string,
    taskId: string,
    page: number,
    fields: Partial<PageMarkerRow>,
  ): Promise<void> {
    await this.tasks.updateEntity(
      { partitionKey: scanId, rowKey: pageMarkerRowKey(taskId, page), ...fields },
      'Merge',
    );
  }

  /**
   * A one-page task's last writes as one transaction (both rows are in the scan's partition): its
   * page marker done and the task's outcome.
   */
  async finishOnePageTask(
    scanId: string,
    taskId: string,
    marker: Partial<PageMarkerRow>,
    task: Partial<TaskRow>,
  ): Promise<void> {
    await upsertTransaction(
      this.tasks,
      [
        { partitionKey: scanId, rowKey: pageMarkerRowKey(taskId, 1), ...marker },
        { partitionKey: scanId, rowKey: taskRowKey(taskId), ...task },
      ],
      'Merge',
    );
  }

  async listPageMarkers(scanId: string, taskId?: string): Promise<PageMarkerRow[]> {
    return this.rangeQuery<PageMarkerRow>(scanId, taskId ? `page|${taskId}|` : 'page|');
  }

  /** A task's page markers from page `fromPage` on: a range read that skips the pages a reader already knows. */
  async listPageMarkersFrom(scanId: string, taskId: string, fromPage: number): Promise<PageMarkerRow[]> {
    const prefix = `page|${taskId}|`;
    const filter =
      `PartitionKey eq ${odataString(scanId)} and RowKey ge ${odataString(pageMarkerRowKey(taskId, fromPage))}` +
      ` and RowKey lt ${odataString(prefixEnd(prefix))}`;
    const rows: PageMarkerRow[] = [];
    for await (const r of this.tasks.listEntities<PageMarkerRow>({ queryOptions: { filter } })) rows.push(r);
    return rows;
  }

  /**
   * A note a task's page leaves for the task's later pages (Kubernetes: which Deployment owns each
   * ReplicaSet, for the pods listed after them), in the scan's partition beside the page markers.
   * An upsert: a redelivered page writes the same note again.
   */
  async putTaskNote(
    scanId: string,
    taskId: string,
    key: string,
    fields: Record<string, string>,
  ): Promise<void> {
    await this.tasks.upsertEntity(
      { partitionKey: scanId, rowKey: taskNoteRowKey(taskId, key), ...fields },
      'Replace',
    );
  }

  /** A task's notes, those matching `where` (an OData filter on their fields) when given. */
  async listTaskNotes<T extends object>(scanId: string, taskId: string, where?: string): Promise<T[]> {
    const filter = `PartitionKey eq ${odataString(scanId)} and ${prefixFilter('RowKey', `note|${taskId}|`)}`;
    const rows: T[] = [];
    for await (const r of this.tasks.listEntities<T>({
      queryOptions: { filter: where ? `${filter} and (${where})` : filter },
    }))
      rows.push(r);
    return rows;
  }

  /** The finalize marker: exactly one caller wins the right to enqueue the finalize message. */
  async claimFinalize(scanId: string, by: string): Promise<boolean> {
    return insertIfAbsent(this.tasks, {
      partitionKey: scanId,
      rowKey: FINALIZE_ROW_KEY,
      by,
      at: new Date().toISOString(),
    });
  }

  private async rangeQuery<T extends object>(partitionKey: string, prefix: string): Promise<Array<Row<T>>> {
    const rows: Array<Row<T>> = [];
    const filter = `PartitionKey eq ${odataString(partitionKey)} and ${prefixFilter('RowKey', prefix)}`;
    for await (const r of this.tasks.listEntities<T>({ queryOptions: { filter } })) rows.push(r as Row<T>);
    return rows;
  }
}
