import type { TopDeckError } from '../errors/TopDeckError';
import type { PageMessage } from './messages';
import type { ScanRow, TaskRow } from './ScanRecords';
import type { GroupedError } from './summarizeTasks';

/** A task another source (Azure DevOps) adds to a scan, and the queue its pages go to. */
export interface PlannedTask {
  task: Omit<TaskRow, 'status' | 'updatedAt'>;
  queueName: string;
}

/**
 * One fetched page: its continuation (the next page is sent before `write` runs), and the rest
 * of the page's work — calls that need not hold up the next page, and the writes.
 */
export interface ExtensionPage {
  continuationToken?: string;
  /** Tasks this page found (Azure DevOps: one per project and kind once the projects are listed). */
  spawn?: PlannedTask[];
  /**
   * `seen`: the RowKeys the page listed (src/scan/seenKeys.ts), kept on its page marker for an
   * extension's own removals in finalize (Kubernetes).
   */
  write(): Promise<{ items: number; added: number; modified: number; seen?: string }>;
}

/**
 * Work a scan does besides the Azure resource types, in the same orchestration: its tasks count
 * in the scan's tasks and errors, page by page through the same markers, poison handling and
 * watchdog, and finalize once. An extension's task never removes Azure resources, and an
 * extension's failure never fails an Azure task (nor the other way round).
 */
export interface ScanExtension {
  /** True for the resource types of this extension's tasks. */
  owns(resourceType: string): boolean;
  /**
   * True for the types of the rows this extension keeps in `resources` (Kubernetes objects): the
   * extension removes them itself, so the generic inventory's removals leave them alone.
   */
  keepsType?(resourceType: string): boolean;
  /**
   * The tasks of a new scan; none when the extension is off or the request names only other
   * types. Must not throw for a dependency failure: plan a task that will fail with it instead.
   */
  planTasks(request: {
    scanId: string;
    resourceTypes?: string[];
    /** The scan's subscriptions (lower-case) and resource group filter (Kubernetes plans a task per AKS cluster in them). */
    subscriptionIds?: string[];
    resourceGroup?: string;
    /**
     * Who says what exists in this scan (planTasks.ts): on `resourcegraph` an extension finds its
     * Azure resources (AKS clusters) with a Resource Graph query rather than per-subscription lists.
     */
    inventorySource?: 'resourcegraph' | 'arm';
  }): Promise<PlannedTask[]>;
  /**
   * Rows this extension keeps that belong to resources a clean task found gone from Azure (a
   * deleted AKS cluster's Kubernetes objects): removed, with their `removed` change items, before
   * those resources' own rows are deleted, so a finalize retried after a crash finds the owners
   * again. `tasks` are the scan's, to leave alone what one of its own tasks failed to read.
   * Returns how many rows it removed. Must be idempotent.
   */
  removeOwnedBy?(
    scan: ScanRow,
    tasks: TaskRow[],
    gone: ReadonlyArray<{ id: string; type: string }>,
  ): Promise<number>;
  /** The queue a task's next page goes to. */
  queueName(resourceType: string): string;
  fetchPage(msg: PageMessage): Promise<ExtensionPage>;
  /** The task's error message for a permanent failure, naming what to fix. */
  describeFailure(error: TopDeckError, msg: PageMessage): string;
  /**
   * Runs in finalize, once every task is terminal and before the scan's status is written; its
   * errors join the scan's. Must be idempotent (a finalize retried after a crash runs it again).
   */
  finalize?(scan: ScanRow, tasks: TaskRow[]): Promise<GroupedError[]>;
}
