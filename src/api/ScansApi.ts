import { notFoundError } from '../errors/TopDeckError';
import { TERMINAL_SCAN, type ScanRow, type TaskRow } from '../scan/ScanRecords';
import type { ScanService, StartScanRequest } from '../scan/ScanService';
import { ScanProgress, type TaskProgress } from '../scan/ScanProgress';
import { summarizeTasks } from '../scan/summarizeTasks';
import type { ScanStore } from '../scan/ScanStore';
import { z } from 'zod';
import { parseOrThrow, startScanBodySchema, wholeNumberSchema } from './validation';

/** `GET /api/scans?limit=` (not strict: a deployed call may carry its function key as `code`). */
export const listScansQuerySchema = z.object({
  limit: wholeNumberSchema(1, 200).optional(),
});

export interface ScanView {
  scanId: string;
  status: ScanRow['status'];
  trigger: ScanRow['trigger'];
  startedAt: string;
  completedAt?: string;
  subscriptionIds: string[];
  resourceTypes: string[];
  resourceGroup?: string;
  /** Who said what exists this scan, and why (TOPDECK_INVENTORY_SOURCE). */
  inventory?: { source: 'resourcegraph' | 'arm'; reason: string };
  tasks: { total: number; completed: number; failed: number; skipped: number; pending: number };
  pages: number;
  counts: {
    resources: number;
    dependencies: number;
    added: number;
    modified: number;
    removed: number;
    edgesAdded: number;
    edgesRemoved: number;
  };
  errors: Array<{ code: string; count: number; message: string; tasks?: string[] }>;
  /** While the scan runs: each task's state, pages done and resources so far. */
  taskProgress?: TaskProgress[];
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export class ScansApi {
  private readonly progress: ScanProgress;

  constructor(
    private readonly scans: ScanService,
    private readonly store: ScanStore,
  ) {
    this.progress = new ScanProgress(store);
  }

  async start(
    body: unknown,
    trigger: StartScanRequest['trigger'],
    traceparent?: string,
  ): Promise<{ scanId: string; status: string; statusUrl: string }> {
    const input = parseOrThrow(startScanBodySchema, body ?? {}, 'request body');
    const scan = await this.scans.startScan({ trigger, ...input, traceparent });
    return { scanId: scan.scanId, status: scan.status, statusUrl: `/api/scans/${scan.scanId}` };
  }

  async list(rawQuery: Record<string, string>): Promise<{ items: ScanView[] }> {
    const limit = parseOrThrow(listScansQuerySchema, rawQuery, 'query').limit ?? 50;
    const rows = await this.store.listScans(limit);
    return { items: rows.map((r) => this.view(r, undefined)) };
  }

  async get(scanId: string): Promise<ScanView> {
    if (!/^[\w.:-]{1,100}$/.test(scanId)) throw notFoundError(`no scan has id "${scanId}"`);
    const row = await this.store.getScan(scanId);
    if (!row) throw notFoundError(`no scan has id "${scanId}"; GET /api/scans lists recent scans`);
    if (TERMINAL_SCAN.includes(row.status)) {
      this.progress.forget(scanId);
      return this.view(row, undefined);
    }
    // While a scan runs, progress is read live: task states from their rows, pages and
    // resources from the page markers of running tasks (only those not read before).
    const tasks = await this.store.listTasks(scanId);
    return this.view(row, { tasks, progress: await this.progress.read(scanId, tasks) });
  }

  private view(row: ScanRow, running: { tasks: TaskRow[]; progress: TaskProgress[] } | undefined): ScanView {
    // Live while the scan runs; as stored once it has ended.
    const live = running ? liveSummary(running.tasks, running.progress) : undefined;
    const completed = live?.completed ?? row.tasksCompleted ?? 0;
    const failed = live?.failed ?? row.tasksFailed ?? 0;
    const skipped = live?.skipped ?? row.tasksSkipped ?? 0;
    return {
      scanId: row.scanId,
      status: row.status,
      trigger: row.trigger,
      startedAt: row.startedAt,
      ...(row.completedAt ? { completedAt: row.completedAt } : {}),
      subscriptionIds: parseJson<string[]>(row.subscriptionIds, []),
      resourceTypes: parseJson<string[]>(row.resourceTypes, []),
      ...(row.resourceGroup ? { resourceGroup: row.resourceGroup } : {}),
      ...(row.inventorySource
        ? {
            inventory: {
              source: row.inventorySource,
              reason: row.inventorySourceReason ?? '',
              ...(row.graphSnapshotAt ? { snapshotAt: row.graphSnapshotAt } : {}),
            },
          }
        : {}),
      tasks: {
        total: row.tasksTotal,
        completed,
        failed,
        skipped,
        pending: row.tasksTotal - completed - failed - skipped,
      },
      pages: live?.pages ?? row.pages ?? 0,
      counts: {
        resources: live?.resources ?? row.resources ?? 0,
        dependencies: row.dependencies ?? 0,
        added: live?.added ?? row.added ?? 0,
        modified: live?.modified ?? row.modified ?? 0,
        removed: row.removed ?? 0,
        edgesAdded: row.edgesAdded ?? 0,
        edgesRemoved: row.edgesRemoved ?? 0,
      },
      errors: live?.errors ?? parseJson(row.errors, []),
      ...(running ? { taskProgress: running.progress } : {}),
    };
  }
}

/** Task counts and errors from the task rows; pages and resources from the live progress. */
function liveSummary(tasks: TaskRow[], progress: TaskProgress[]) {
  const sum = (k: 'pages' | 'resources' | 'added' | 'modified') => progress.reduce((n, p) => n + p[k], 0);
  return {
    ...summarizeTasks(tasks),
    pages: sum('pages'),
    resources: sum('resources'),
    added: sum('added'),
    modified: sum('modified'),
  };
}
