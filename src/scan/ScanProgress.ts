import pLimit from 'p-limit';
import { TERMINAL_TASK, type PageMarkerRow, type TaskRow } from './ScanRecords';
import type { ScanStore } from './ScanStore';

/** One task of a running scan, as the live view shows it. */
export interface TaskProgress {
  taskId: string;
  subscriptionId: string;
  resourceType: string;
  status: TaskRow['status'];
  pages: number;
  resources: number;
  added: number;
  modified: number;
}

/** What a reader has folded of a task's done pages: pages 1..pages, all done. */
interface Folded {
  pages: number;
  items: number;
  added: number;
  modified: number;
}

/** Scans whose folded markers are kept; the oldest is dropped past this. */
const MAX_SCANS = 50;
/** Task marker reads in flight at once for one view. */
const READ_CONCURRENCY = 8;

/**
 * Live progress of a running scan, from its page markers, read cheaply. A page marker is final
 * once done, so a task's done pages 1..n are folded into totals once and only the markers after
 * them (pages in flight, a handful) are read on the next poll: a poll costs one small range read
 * per running task, however many pages the scan has done. Finished tasks are read from their
 * rows, which hold the same totals. Counts never go back while the scan runs (done markers only
 * accumulate), except that a task that fails drops its pages, as the final record does.
 */
export class ScanProgress {
  private readonly folded = new Map<string, Map<string, Folded>>();

  constructor(private readonly store: ScanStore) {}

  async read(scanId: string, tasks: TaskRow[]): Promise<TaskProgress[]> {
    let scan = this.folded.get(scanId);
    if (!scan) {
      scan = new Map();
      this.folded.set(scanId, scan);
      if (this.folded.size > MAX_SCANS) this.folded.delete(this.folded.keys().next().value as string);
    }
    const known = scan;
    const limit = pLimit(READ_CONCURRENCY);
    return Promise.all(
      tasks.map((t) =>
        limit(async (): Promise<TaskProgress> => {
          const base = {
            taskId: t.taskId,
            subscriptionId: t.subscriptionId,
            resourceType: t.resourceType,
            status: t.status,
          };
          if (TERMINAL_TASK.includes(t.status) || t.status === 'pending') {
            known.delete(t.taskId);
            return {
              ...base,
              pages: t.pages ?? 0,
              resources: t.items ?? 0,
              added: t.added ?? 0,
              modified: t.modified ?? 0,
            };
          }
          const f = known.get(t.taskId) ?? { pages: 0, items: 0, added: 0, modified: 0 };
          const markers = await this.store.listPageMarkersFrom(scanId, t.taskId, f.pages + 1);
          const extra = fold(f, markers);
          known.set(t.taskId, f);
          return {
            ...base,
            pages: f.pages + extra.pages,
            resources: f.items + extra.items,
            added: f.added + extra.added,
            modified: f.modified + extra.modified,
          };
        }),
      ),
    );
  }

  /** Drops what was kept for a scan (it ended). */
  forget(scanId: string): void {
    this.folded.delete(scanId);
  }
}

/**
 * Folds the done pages that extend the contiguous prefix into `f`; returns the sums of done
 * pages past a gap (done out of order), counted now and read again next time.
 */
function fold(f: Folded, markers: PageMarkerRow[]): Folded {
  const extra: Folded = { pages: 0, items: 0, added: 0, modified: 0 };
  for (const m of [...markers].sort((a, b) => a.page - b.page)) {
    if (m.state !== 'done') continue;
    const target = m.page === f.pages + 1 && extra.pages === 0 ? f : extra;
    target.pages = target === f ? m.page : target.pages + 1;
    target.items += m.items ?? 0;
    target.added += m.added ?? 0;
    target.modified += m.modified ?? 0;
  }
  return extra;
}
