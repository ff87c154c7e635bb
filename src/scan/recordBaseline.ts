import type { ChangeItem } from '../changes/ChangeItem';
import type { ScanRow } from './ScanRecords';
import type { ScanContext } from './ScanContext';

/** The subscriptions a scan is the first of (its history starts there). */
export function baselineSubscriptions(scan: ScanRow): Set<string> {
  try {
    return new Set(JSON.parse(scan.baselineSubscriptions || '[]') as string[]);
  } catch {
    return new Set();
  }
}

/**
 * A first scan of a subscription writes one `baseline` item for it instead of an `added` item per
 * resource and an `edgeAdded` per edge; from then on the history is what changed. Keyed like
 * every change, so a finalize retried after a crash writes it once.
 */
export async function recordBaseline(ctx: ScanContext, scan: ScanRow, at: string): Promise<number> {
  const items: ChangeItem[] = [...baselineSubscriptions(scan)].map((subscriptionId) => ({
    scanId: scan.scanId,
    at,
    kind: 'baseline',
    resourceId: `/subscriptions/${subscriptionId}`,
    type: 'Microsoft.Resources/subscriptions',
    name: subscriptionId,
    subscriptionId,
  }));
  await ctx.changeLog.record(items);
  return items.length;
}
