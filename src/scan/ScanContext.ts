import type { ArmClients } from '../discovery/armClients';
import { ChangeLog } from '../changes/ChangeLog';
import type { DependencyCounts } from '../dependencies/updateDependencies';
import type { QueueSender } from '../storage/queues';
import type { Tables } from '../storage/tables';
import type { Logger } from '../telemetry/logger';
import type { OperationRecorder } from '../telemetry/operationMetrics';
import type { InventorySourceSetting } from './planTasks';
import type { ScanRow } from './ScanRecords';
import type { ScanExtension } from './ScanExtension';
import type { ScanStore } from './ScanStore';

export interface StartScanRequest {
  trigger: ScanRow['trigger'];
  subscriptionIds?: string[];
  resourceTypes?: string[];
  resourceGroup?: string;
  traceparent?: string;
}

export interface ScanServiceDeps {
  store: ScanStore;
  tables: Tables;
  queues: QueueSender;
  arm: ArmClients;
  logger: Logger;
  defaults: {
    subscriptionIds: string[];
    resourceGroup?: string;
    watchdogMinutes: number;
    /** TOPDECK_INVENTORY_SOURCE; `auto` when absent */
    inventorySource?: InventorySourceSetting;
  };
  /** The change history (src/changes/ChangeLog.ts); built on `tables.changes` when absent. */
  changeLog?: ChangeLog;
  /** Finalize's dependency step (src/dependencies/updateDependencies.ts); none when absent. */
  dependencies?: (
    scanId: string,
    at: string,
    options?: { baseline?: (subscriptionId: string) => boolean },
  ) => Promise<DependencyCounts>;
  /** Called once a scan reaches a terminal status (cache invalidation, metrics). */
  onScanFinalized?: (scan: ScanRow) => Promise<void>;
  /** Page and scan metrics (Application Insights); none when absent. */
  metrics?: OperationRecorder;
  /** Work besides the Azure types in the same scans (Azure DevOps). */
  extensions?: ScanExtension[];
  now?: () => Date;
}

/** Where a queue message came from, as the trigger reports it. */
export interface DeliveryInfo {
  messageId: string;
  dequeueCount: number;
}

/** What every scan step shares: the dependencies, the clock and the change history. */
export interface ScanContext {
  deps: ScanServiceDeps;
  now: () => Date;
  changeLog: ChangeLog;
  /** The extension that owns a task type (Azure DevOps), if any. */
  extensionFor(resourceType: string): ScanExtension | undefined;
}

export function createScanContext(deps: ScanServiceDeps): ScanContext {
  return {
    deps,
    now: deps.now ?? (() => new Date()),
    changeLog:
      deps.changeLog ??
      new ChangeLog(deps.tables.changes, () => deps.store.listScans(Number.MAX_SAFE_INTEGER)),
    extensionFor: (resourceType) => deps.extensions?.find((x) => x.owns(resourceType)),
  };
}
