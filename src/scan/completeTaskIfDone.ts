import type { PageMessage } from './messages';
import type { PageMarkerRow, TaskRow } from './ScanRecords';
import type { ScanContext } from './ScanContext';
import { finishTask } from './finishTask';

/** A task is complete when the last page is known and every page before it is done. */
export async function completeTaskIfDone(ctx: ScanContext, msg: PageMessage): Promise<void> {
  const markers = await ctx.deps.store.listPageMarkers(msg.scanId, msg.taskId);
  const done = markers.filter((m) => m.state === 'done');
  const last = done.find((m) => m.isLast);
  if (!last || done.length < last.page) return;
  const fields = taskOutcome(done);
  if (!msg.chain) return finishTask(ctx, msg, 'completed', fields);
  // A Resource Graph chain: each of its tasks gets its own counts from the chain's markers.
  const sample = fields.skippedSample;
  const graphSnapshotAt = fields.graphSnapshotAt;
  const members = memberCounts(done.map((m) => m.members));
  const own = (taskId: string): Partial<TaskRow> => {
    const [items = 0, added = 0, modified = 0, skippedItems = 0] = members.get(taskId) ?? [];
    return {
      // the chain's pages are counted once, on its lead task
      pages: taskId === msg.taskId ? done.length : 0,
      items,
      added,
      modified,
      skippedItems,
      ...(skippedItems && sample ? { skippedSample: sample } : {}),
      ...(graphSnapshotAt ? { graphSnapshotAt } : {}),
    };
  };
  await finishTask(ctx, msg, 'completed', own(msg.taskId), own);
}

/** What a completed task records, from its done page markers. */
export function taskOutcome(
  done: Array<Omit<PageMarkerRow, 'taskId' | 'messageId' | 'page' | 'state'>>,
): Partial<TaskRow> {
  const sum = (k: 'items' | 'added' | 'modified' | 'skippedItems') =>
    done.reduce((n, m) => n + (m[k] ?? 0), 0);
  const sample = done.find((m) => m.skippedSample)?.skippedSample;
  const warnings = mergeWarnings(done.map((m) => m.warnings));
  const graphSnapshotAt = earliest(done.map((m) => m.graphAnsweredAt));
  return {
    pages: done.length,
    items: sum('items'),
    added: sum('added'),
    modified: sum('modified'),
    skippedItems: sum('skippedItems'),
    ...(sample ? { skippedSample: sample } : {}),
    ...(warnings ? { warnings } : {}),
    ...(graphSnapshotAt ? { graphSnapshotAt } : {}),
  };
}

/** A chain's per-task counts summed over its pages' markers. */
function memberCounts(perPage: Array<string | undefined>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const json of perPage) {
    if (!json) continue;
    for (const [taskId, counts] of Object.entries(JSON.parse(json) as Record<string, number[]>)) {
      const sum = out.get(taskId) ?? [0, 0, 0, 0];
      counts.forEach((n, i) => (sum[i] = (sum[i] ?? 0) + n));
      out.set(taskId, sum);
    }
  }
  return out;
}

/** The earliest of ISO times (undefined when none). */
export function earliest(times: Array<string | undefined>): string | undefined {
  return times.filter((t): t is string => Boolean(t)).sort()[0];
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
