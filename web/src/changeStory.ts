import type { Change } from './types';

/** The changes of one scan, or of one event once events feed the log. */
export interface ChangeGroup {
  key: string;
  trigger: 'scan' | 'event';
  scanId: string;
  /** The newest change of the group (ISO). */
  at: string;
  items: Change[];
  counts: Map<string, number>;
  /** Present when an event named who or what made the change. */
  actor?: string;
  operation?: string;
}

/** A change's group: its event (by correlation id) when it came from one, else its scan. */
function groupKey(c: Change): { key: string; trigger: 'scan' | 'event' } {
  if (c.trigger === 'event')
    return { key: `event:${c.correlationId ?? `${c.scanId}|${c.at}`}`, trigger: 'event' };
  return { key: `scan:${c.scanId}`, trigger: 'scan' };
}

/** Groups changes (newest first, as the API answers them) per scan or event, keeping that order. */
export function groupChanges(items: Change[]): ChangeGroup[] {
  const groups = new Map<string, ChangeGroup>();
  for (const c of items) {
    const { key, trigger } = groupKey(c);
    let g = groups.get(key);
    if (!g) {
      g = { key, trigger, scanId: c.scanId, at: c.at, items: [], counts: new Map() };
      groups.set(key, g);
    }
    g.items.push(c);
    g.counts.set(c.kind, (g.counts.get(c.kind) ?? 0) + 1);
    if (c.at > g.at) g.at = c.at;
    if (c.actor && !g.actor) g.actor = c.actor;
    if (c.operation && !g.operation) g.operation = c.operation;
  }
  return [...groups.values()];
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * An edge removed and one added from the same resource, found the same way, in one group: the
 * dependency moved (a NIC to another subnet), one line rather than two.
 */
function movedEdges(items: Change[]): number {
  const removed = new Map<string, number>();
  for (const c of items)
    if (c.kind === 'edgeRemoved') {
      const k = `${c.resourceId.toLowerCase()}|${c.method ?? ''}`;
      removed.set(k, (removed.get(k) ?? 0) + 1);
    }
  let moved = 0;
  for (const c of items)
    if (c.kind === 'edgeAdded') {
      const k = `${c.resourceId.toLowerCase()}|${c.method ?? ''}`;
      const left = removed.get(k) ?? 0;
      if (left > 0) {
        moved++;
        removed.set(k, left - 1);
      }
    }
  return moved;
}

/** One line for a group: "3 added, 7 modified, 1 edge moved"; a baseline says what it recorded. */
export function summarise(g: ChangeGroup): string {
  const n = (k: string) => g.counts.get(k) ?? 0;
  const moved = movedEdges(g.items);
  const parts: string[] = [];
  // A baseline item stands for one scope (a subscription) whose history starts with this scan.
  if (n('baseline')) parts.push(`baseline of ${plural(n('baseline'), 'subscription', 'subscriptions')}`);
  if (n('added')) parts.push(`${n('added')} added`);
  if (n('modified')) parts.push(`${n('modified')} modified`);
  if (n('removed')) parts.push(`${n('removed')} removed`);
  if (n('edgeAdded') - moved) parts.push(plural(n('edgeAdded') - moved, 'edge added', 'edges added'));
  if (n('edgeRemoved') - moved) parts.push(plural(n('edgeRemoved') - moved, 'edge removed', 'edges removed'));
  if (moved) parts.push(plural(moved, 'edge moved', 'edges moved'));
  const known = new Set(['baseline', 'added', 'modified', 'removed', 'edgeAdded', 'edgeRemoved']);
  for (const [kind, count] of g.counts) if (!known.has(kind)) parts.push(`${count} ${kind}`);
  return parts.join(', ') || 'no change';
}
