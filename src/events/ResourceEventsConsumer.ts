import type { Logger } from '../telemetry/logger';
import type { OperationRecorder } from '../telemetry/operationMetrics';
import type { EventRefresher, RefreshOutcome } from './EventRefresher';
import { parseResourceEvents } from './parseResourceEvents';

/** What this process's `resource-events` function has seen since it started. */
export interface EventCounts {
  messages: number;
  events: number;
  /** Messages (or events inside one) that could not be read: dropped, never retried. */
  malformed: number;
  /** Event types other than the three resource events, and types TopDeck does not keep. */
  ignored: number;
  outcomes: Partial<Record<RefreshOutcome, number>>;
}

/**
 * The `resource-events` queue function's work: read the message, drop what cannot be read (one
 * warning, a counter: a malformed message must not block those behind it nor go to the poison
 * queue), ignore what TopDeck does not keep, refresh the rest. A failed read of Azure that may
 * pass (429, 5xx) is thrown, so the queue delivers the message again.
 */
export class ResourceEventsConsumer {
  readonly counts: EventCounts = { messages: 0, events: 0, malformed: 0, ignored: 0, outcomes: {} };

  constructor(
    private readonly refresher: EventRefresher,
    private readonly logger: Logger,
    private readonly metrics?: OperationRecorder,
  ) {}

  async handle(payload: unknown): Promise<RefreshOutcome[]> {
    this.counts.messages++;
    const parsed = await parseResourceEvents(payload);
    if (parsed.malformed.length) {
      this.counts.malformed += parsed.malformed.length;
      this.metrics?.trackMetric('topdeck.events.malformed', parsed.malformed.length);
      this.logger.warn('malformed resource event dropped', {
        reason: parsed.malformed[0],
        malformed: parsed.malformed.length,
        kept: parsed.events.length,
      });
    }
    if (parsed.otherTypes.length) {
      this.counts.ignored += parsed.otherTypes.length;
      this.metrics?.trackMetric('topdeck.events.ignored', parsed.otherTypes.length);
      this.logger.debug('event of another type ignored', { eventTypes: [...new Set(parsed.otherTypes)] });
    }
    this.counts.events += parsed.events.length;
    const outcomes = await Promise.all(
      parsed.events.map(async (e) => {
        const outcome = await this.refresher.refresh(e);
        if (outcome === 'unsupported') {
          this.counts.ignored++;
          this.metrics?.trackMetric('topdeck.events.ignored', 1);
          this.logger.debug('event for a type TopDeck does not keep ignored', { subject: e.subject });
        }
        return outcome;
      }),
    );
    for (const o of outcomes) this.counts.outcomes[o] = (this.counts.outcomes[o] ?? 0) + 1;
    return outcomes;
  }
}
