/**
 * The Resource Graph path's chains: Graph answers many subscriptions and types in one query, and
 * its quota (about 15 queries per 5 s per caller) is what a scan of hundreds of subscriptions
 * spends, so tasks are read in batches, not one chain each. A chain is the rows query over a set
 * of subscriptions × a set of types, paged with `$skipToken`; its tasks are the scan's
 * (subscription, type) tasks in that product, which keep their own counts and their own removals
 * (a task is listed whole and cleanly only when its chain completed cleanly).
 *
 * Batches are sized from Graph's type counts so that each chain is a few pages of 1,000 rows
 * (chains run side by side, a chain's pages one after another): small subscriptions are batched
 * together with every type they hold; a subscription bigger than a chain is split by type.
 */
export const CHAIN_ROWS = 3000;
/** Subscriptions per chain: the query names each (and the request body lists them). */
export const CHAIN_SUBSCRIPTIONS = 100;

export interface ChainTask {
  taskId: string;
  subscriptionId: string;
  /** lower-case */
  type: string;
}

export interface Chain {
  /** The task whose page markers are the chain's (the first of its tasks). */
  lead: string;
  subscriptionIds: string[];
  types: string[];
  taskIds: string[];
}

export function planChains(
  tasks: ChainTask[],
  count: (subscriptionId: string, type: string) => number,
  limits: { rows: number; subscriptions: number } = { rows: CHAIN_ROWS, subscriptions: CHAIN_SUBSCRIPTIONS },
): Chain[] {
  const bySubscription = new Map<string, ChainTask[]>();
  for (const t of tasks) {
    const list = bySubscription.get(t.subscriptionId) ?? [];
    list.push(t);
    bySubscription.set(t.subscriptionId, list);
  }
  const chains: Chain[] = [];
  const emit = (group: ChainTask[]) => {
    if (!group.length) return;
    const sorted = [...group].sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0));
    chains.push({
      lead: (sorted[0] as ChainTask).taskId,
      subscriptionIds: [...new Set(sorted.map((t) => t.subscriptionId))].sort(),
      types: [...new Set(sorted.map((t) => t.type))].sort(),
      taskIds: sorted.map((t) => t.taskId),
    });
  };
  const rowsOf = (list: ChainTask[]) => list.reduce((n, t) => n + count(t.subscriptionId, t.type), 0);
  let batch: ChainTask[] = [];
  let batchRows = 0;
  let batchSubs = 0;
  for (const subscriptionId of [...bySubscription.keys()].sort()) {
    const list = bySubscription.get(subscriptionId) as ChainTask[];
    const rows = rowsOf(list);
    if (rows > limits.rows) {
      // A big subscription: its types packed into chains of up to `rows` (a bigger type alone).
      const bins: Array<{ rows: number; tasks: ChainTask[] }> = [];
      for (const t of [...list].sort(
        (a, b) => count(b.subscriptionId, b.type) - count(a.subscriptionId, a.type),
      )) {
        const n = count(t.subscriptionId, t.type);
        const bin = bins.find((b) => b.rows + n <= limits.rows);
        if (bin) {
          bin.rows += n;
          bin.tasks.push(t);
        } else bins.push({ rows: n, tasks: [t] });
      }
      for (const bin of bins) emit(bin.tasks);
      continue;
    }
    if (batch.length && (batchRows + rows > limits.rows || batchSubs >= limits.subscriptions)) {
      emit(batch);
      batch = [];
      batchRows = 0;
      batchSubs = 0;
    }
    batch.push(...list);
    batchRows += rows;
    batchSubs++;
  }
  emit(batch);
  return chains;
}
