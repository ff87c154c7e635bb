import { TopDeckError } from '../errors/TopDeckError';
import { ErrorTracker } from '../resilience';
import type { TaskRow } from './ScanRecords';

export interface GroupedError {
  code: string;
  count: number;
  message: string;
  tasks: string[];
}

/** Task errors grouped by code, capped, with counts: the scan record's summary. */
export function groupErrors(tasks: TaskRow[], cap = 20): GroupedError[] {
  const tracker = new ErrorTracker({ maxErrors: 1000 });
  for (const t of tasks) {
    if (t.status !== 'failed') tracker.success(t.taskId);
    else
      tracker.failure(
        t.taskId,
        new TopDeckError({ code: t.errorCode ?? 'Error', message: t.error ?? '', transient: false }),
      );
  }
  const failures = tracker.summary().errors;
  return tracker.groupedSummary(cap).map((g) => ({
    code: g.errorType,
    count: g.count,
    message: g.sample,
    tasks: failures
      .filter((f) => f.errorType === g.errorType)
      .slice(0, 10)
      .map((f) => f.itemId),
  }));
}

export interface TaskSummary {
  completed: number;
  failed: number;
  skipped: number;
  /** Items skipped for an unexpected shape, over every task. */
  skippedItems: number;
  resources: number;
  added: number;
  modified: number;
  pages: number;
  errors: GroupedError[];
}

/** A scan's numbers and error summary from its task rows: live while it runs, stored at finalize. */
export function summarizeTasks(tasks: TaskRow[]): TaskSummary {
  const count = (status: TaskRow['status']) => tasks.filter((t) => t.status === status).length;
  const sum = (k: 'items' | 'added' | 'modified' | 'pages' | 'skippedItems') =>
    tasks.reduce((n, t) => n + (t[k] ?? 0), 0);
  const skippedItems = sum('skippedItems');
  const errors = groupErrors(tasks);
  if (skippedItems) {
    const withSkips = tasks.filter((t) => t.skippedItems);
    errors.push({
      code: 'ItemsSkipped',
      count: skippedItems,
      message: `${skippedItems} item(s) Azure returned in an unexpected shape were skipped (their tasks remove nothing this scan); first: ${withSkips.find((t) => t.skippedSample)?.skippedSample ?? ''}`,
      tasks: withSkips.slice(0, 10).map((t) => t.taskId),
    });
  }
  // Warnings (a missing optional permission) are reported once per code, whatever the task count.
  const warnings = new Map<string, GroupedError>();
  for (const t of tasks) {
    if (!t.warnings) continue;
    let list: Array<{ code: string; message: string; count?: number }> = [];
    try {
      list = JSON.parse(t.warnings) as typeof list;
    } catch {
      continue;
    }
    for (const w of list) {
      const g = warnings.get(w.code);
      if (g) {
        g.count += w.count ?? 1;
        if (g.tasks.length < 10) g.tasks.push(t.taskId);
      } else
        warnings.set(w.code, { code: w.code, count: w.count ?? 1, message: w.message, tasks: [t.taskId] });
    }
  }
  errors.push(...warnings.values());
  return {
    completed: count('completed'),
    failed: count('failed'),
    skipped: count('skipped'),
    skippedItems,
    // Azure DevOps tasks (they carry a project) count repositories and builds, not resources.
    resources: tasks.reduce((n, t) => n + (t.project ? 0 : (t.items ?? 0)), 0),
    added: sum('added'),
    modified: sum('modified'),
    pages: sum('pages'),
    errors,
  };
}
