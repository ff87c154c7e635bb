import type { ChangedPath } from './diffContent';

export type ChangeKind = 'baseline' | 'added' | 'modified' | 'removed' | 'edgeAdded' | 'edgeRemoved';

/** One entry of the change history (the `/api/changes` item). */
export interface ChangeItem {
  scanId: string;
  /** When the scan recorded it (ISO). */
  at: string;
  kind: ChangeKind;
  /** The resource; for an edge, its source (the dependent); for a baseline, the scope (`/subscriptions/{id}`). */
  resourceId: string;
  /** Edges only: what the source depends on. */
  targetId?: string;
  /** Edges only: how the edge was found. */
  method?: string;
  type: string;
  name: string;
  subscriptionId?: string;
  /** `modified` only: what changed (values left out where they could hold a secret). */
  paths?: ChangedPath[];
  /** What found it: a scan, or a resource event (absent on rows written before events: a scan). */
  trigger?: 'scan' | 'event';
  /** Events only: the caller's UPN, else display name, else application id. */
  actor?: string;
  /** Events only: the event's operationName. */
  operation?: string;
  /** Events only: Resource Manager's correlation id (joins the Azure Activity Log). */
  correlationId?: string;
}
