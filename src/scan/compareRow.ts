import { isCurrentHash, type TableEntity } from '../storage/resourceEntity';

/** What a stored resource row holds of the fields a write compares against. */
export interface StoredRowState {
  id?: string;
  hash?: string;
  discoveredAt?: string;
  firstSeenAt?: string;
  scanId?: string;
  changeKind?: string;
  status?: string;
}

export interface RowComparison {
  kind?: 'added' | 'modified';
  /** This scan already wrote the row (an attempt that died before marking its page done). */
  retried: boolean;
  /** Nothing to write: same content and state as stored. */
  unchanged: boolean;
}

/**
 * A drafted row against the stored one, the same way for every writer of `resources` (a scan's
 * listing page, a Kubernetes page): carries discoveredAt and firstSeenAt over, says whether it is
 * added, modified or unchanged, and sets the draft's changeKind. A retry of the same scan keeps
 * the change the earlier attempt found, so it counts the same (its change rows exist already); a
 * first scan of a subscription (`baseline`) records no `added` per row.
 */
export function compareRow(
  before: StoredRowState | undefined,
  draft: TableEntity,
  scan: { scanId: string; baseline?: boolean },
  /** Columns besides content and status whose change alone makes the row worth writing. */
  sameExtras: boolean,
): RowComparison {
  if (before?.discoveredAt) draft.discoveredAt = before.discoveredAt;
  draft.firstSeenAt = before?.firstSeenAt || before?.discoveredAt || draft.firstSeenAt;
  const retried = Boolean(before) && before?.scanId === scan.scanId;
  const kind: 'added' | 'modified' | undefined = retried
    ? ((before?.changeKind || undefined) as 'added' | 'modified' | undefined)
    : !before?.id
      ? scan.baseline
        ? undefined
        : 'added'
      : isCurrentHash(before.hash) && before.hash !== draft.hash
        ? 'modified'
        : undefined;
  draft.changeKind = kind ?? '';
  // An unchanged row is not rewritten: its lastSeenAt is derived from the scan's coverage.
  const unchanged =
    !retried &&
    !kind &&
    before !== undefined &&
    before.hash === draft.hash &&
    (draft.status === undefined || draft.status === before.status) &&
    sameExtras;
  return { ...(kind ? { kind } : {}), retried, unchanged };
}
