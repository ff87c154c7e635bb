/** Row shapes of the `scans` and `scantasks` tables. */
export type ScanStatus = 'queued' | 'running' | 'completed' | 'partial' | 'failed';
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'skipped';

export const TERMINAL_SCAN: readonly ScanStatus[] = ['completed', 'partial', 'failed'];
export const TERMINAL_TASK: readonly TaskStatus[] = ['completed', 'failed', 'skipped'];

export interface ScanRow {
  scanId: string;
  status: ScanStatus;
  trigger: 'http' | 'timer' | 'local';
  startedAt: string;
  completedAt?: string;
  correlationId: string;
  /** W3C trace context of the request or timer that started the scan (the watchdog continues it). */
  traceparent?: string;
  subscriptionIds: string; // JSON array
  resourceTypes: string; // JSON array
  resourceGroup?: string;
  tasksTotal: number;
  /** Who said what exists: `resourcegraph` or `arm` (TOPDECK_INVENTORY_SOURCE, decided per scan). */
  inventorySource?: 'resourcegraph' | 'arm';
  /** Why that source: the setting, or Resource Graph's error when `auto` fell back. */
  inventorySourceReason?: string;
  /** The earliest time Resource Graph answered a page of this scan: what the scan saw is as of then. */
  graphSnapshotAt?: string;
  /** JSON array: the subscriptions this scan is the first of (their history starts with one `baseline` item). */
  baselineSubscriptions?: string;
  tasksCompleted?: number;
  tasksFailed?: number;
  tasksSkipped?: number;
  resources?: number;
  dependencies?: number;
  added?: number;
  modified?: number;
  removed?: number;
  pages?: number;
  edgesAdded?: number;
  edgesRemoved?: number;
  errors?: string; // JSON array of grouped errors
}

export interface TaskRow {
  taskId: string;
  subscriptionId: string;
  resourceType: string;
  resourceGroup?: string;
  /** Azure DevOps tasks: the project (subscriptionId holds the organisation). */
  project?: string;
  status: TaskStatus;
  /** Resource Graph pages: the earliest time Graph answered one (its data lags Azure by up to ~30 s). */
  graphSnapshotAt?: string;
  /**
   * The lead task of the Resource Graph chain that lists this task (src/scan/planChains.ts): the
   * chain's page markers are this task's, and it ends when its chain does.
   */
  chain?: string;
  pages?: number;
  items?: number;
  added?: number;
  modified?: number;
  skippedItems?: number;
  skippedSample?: string;
  /** JSON `[{code, message, count}]`: problems that did not fail the task (a missing optional permission) */
  warnings?: string;
  error?: string;
  errorCode?: string;
  lastError?: string;
  /** A task of one page: its page's seen RowKeys (as on the marker), so finalize need not read the marker. */
  seen?: string;
  startedAt?: string;
  completedAt?: string;
  updatedAt: string;
}

export interface PageMarkerRow {
  taskId: string;
  page: number;
  state: 'claimed' | 'done';
  messageId: string;
  isLast?: boolean;
  items?: number;
  /** State-listing items merged on their own (not matched on this page). */
  stateItems?: number;
  /** Items that could not be mapped (schema drift), and the first one's error. */
  skippedItems?: number;
  skippedSample?: string;
  /** JSON `[{code, message}]` from the listing */
  warnings?: string;
  added?: number;
  modified?: number;
  /** The RowKeys this page listed (src/scan/seenKeys.ts): what finalize does not remove. */
  seen?: string;
  /** A Resource Graph page: when Graph answered (its data lags Azure by up to ~30 s). */
  graphAnsweredAt?: string;
  /** A Resource Graph chain's page: JSON `{taskId: [items, added, modified, skippedItems]}` of its tasks. */
  members?: string;
  updatedAt: string;
}

/** The last scan whose task listed a (subscription, type[, resource group]) cleanly: a row's true lastSeenAt. */
export interface CoverageRow {
  /** The `resources` PartitionKey prefix the task covered (`<sub>|<type>~`, or a full PartitionKey). */
  scope: string;
  scanId: string;
  at: string;
}
