import type { FinalizeMessage, PageMessage } from './messages';
import type { ScanRow } from './ScanRecords';
import {
  createScanContext,
  type DeliveryInfo,
  type ScanContext,
  type ScanServiceDeps,
  type StartScanRequest,
} from './ScanContext';
import { finalizeScan } from './finalizeScan';
import { handleFinalizePoison, handlePoison } from './handlePoison';
import { processPage, type PageOutcome } from './processPage';
import { startScan } from './startScan';
import { watchdog } from './watchdog';

export type { DeliveryInfo, ScanServiceDeps, StartScanRequest } from './ScanContext';
export { taskIdFor } from './taskIdFor';

/**
 * Scan orchestration, one module per step (start, page, finalize, poison, watchdog); this facade
 * gives the triggers and the composition root one object to hold.
 */
export class ScanService {
  private readonly ctx: ScanContext;

  constructor(deps: ScanServiceDeps) {
    this.ctx = createScanContext(deps);
  }

  startScan(request: StartScanRequest): Promise<ScanRow> {
    return startScan(this.ctx, request);
  }

  processPage(msg: PageMessage, delivery: DeliveryInfo): Promise<PageOutcome> {
    return processPage(this.ctx, msg, delivery);
  }

  handlePoison(msg: PageMessage): Promise<void> {
    return handlePoison(this.ctx, msg);
  }

  handleFinalizePoison(msg: FinalizeMessage, reason: string): Promise<void> {
    return handleFinalizePoison(this.ctx, msg, reason);
  }

  finalize(msg: FinalizeMessage): Promise<ScanRow | undefined> {
    return finalizeScan(this.ctx, msg);
  }

  watchdog(): Promise<string[]> {
    return watchdog(this.ctx);
  }
}
