import { redactText } from '../telemetry/redact';
import type { TopDeckError } from '../errors/TopDeckError';
import type { PageMessage } from './messages';
import type { PageMarkerRow } from './ScanRecords';
import type { PlannedTask } from './ScanExtension';
import type { FailureKind } from './describeFailure';

/** The fields of a page message that carry a listing's continuation to the next page. */
export type Continuation = Partial<
  Pick<PageMessage, 'continuationToken' | 'stateContinuationToken' | 'primaryDone' | 'stateDone'>
>;

/** What a page wrote, recorded on its page marker (the task's totals are summed from them). */
export type PageCounts = Omit<
  PageMarkerRow,
  'taskId' | 'page' | 'state' | 'messageId' | 'isLast' | 'updatedAt'
> & {
  items: number;
  added: number;
  modified: number;
};

/** One page read from a source; the next page's message is sent before `complete` and `write` run. */
export interface SourcePage {
  /** Present when the chain has another page. */
  next?: Continuation;
  /** Calls that need not hold up the next page (details per item); errors count as reading. */
  complete?(): Promise<void>;
  /** The page's writes; returns what the page marker records. */
  write(): Promise<{ counts: PageCounts; spawn?: PlannedTask[] }>;
}

/**
 * Where a task's pages come from (a Resource Manager listing, a Resource Graph chain, an Azure
 * DevOps extension): the page step claims, sends the continuation, writes and marks done the
 * same way whichever source it is given.
 */
export interface PageSource {
  /** The queue the task's next page goes to. */
  queueName(msg: PageMessage): string;
  read(msg: PageMessage): Promise<SourcePage>;
  /** A permanent error while reading or writing, as the task's outcome with what to fix. */
  describeFailure(
    error: TopDeckError,
    msg: PageMessage,
    stage: 'read' | 'write',
  ): { kind: FailureKind; message: string };
}

/**
 * What a listing page records on its marker: its counts, what was written, and (redacted, capped)
 * a sample of the items skipped for their shape and the page's warnings.
 */
export function pageCounts(page: {
  items: number;
  stateItems?: number;
  skipped: ReadonlyArray<{ id: string; error: string }>;
  warnings?: readonly unknown[];
  written: { added: number; modified: number; seen: string };
}): PageCounts {
  const { skipped, warnings = [], written } = page;
  return {
    items: page.items,
    ...(page.stateItems !== undefined ? { stateItems: page.stateItems } : {}),
    skippedItems: skipped.length,
    ...(skipped[0]
      ? { skippedSample: redactText(`${skipped[0].id}: ${skipped[0].error}`).slice(0, 1000) }
      : {}),
    added: written.added,
    modified: written.modified,
    seen: written.seen,
    ...(warnings.length ? { warnings: redactText(JSON.stringify(warnings)).slice(0, 4000) } : {}),
  };
}
