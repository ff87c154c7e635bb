import type { Logger } from '../telemetry/logger';

export interface ConnectionHealthOptions {
  logger: Logger;
  /** Turns an error into the one sentence logged for the outage. */
  describe: (error: unknown) => string;
  /** Fields added to both log lines (e.g. the redacted target). */
  fields?: Record<string, unknown>;
  /** A new outage logged within this long of the previous one is counted, not logged, in milliseconds. */
  minLogIntervalMs?: number;
  now?: () => number;
}

/**
 * Tracks whether Redis is answering, so that an outage is logged ONCE when it
 * starts and once when it ends, however many calls fail in between. Flapping
 * (outages closer than minLogIntervalMs) is summarised rather than logged each time.
 */
export class ConnectionHealth {
  private down = false;
  private downSince = 0;
  private failuresThisOutage = 0;
  private loggedThisOutage = false;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private unloggedOutages = 0;
  private readonly minLogIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ConnectionHealthOptions) {
    this.minLogIntervalMs = options.minLogIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get isDown(): boolean {
    return this.down;
  }

  /** A call or a connection attempt failed. */
  failed(error: unknown): void {
    this.failuresThisOutage++;
    if (this.down) return;
    this.down = true;
    this.downSince = this.now();
    this.failuresThisOutage = 1;
    this.loggedThisOutage = false;
    if (this.downSince - this.lastLoggedAt < this.minLogIntervalMs) {
      this.unloggedOutages++;
      return;
    }
    this.lastLoggedAt = this.downSince;
    this.loggedThisOutage = true;
    const extra = this.unloggedOutages > 0 ? { outagesNotLoggedBefore: this.unloggedOutages } : {};
    this.unloggedOutages = 0;
    this.options.logger.warn(
      `Redis cache unavailable, continuing without it: ${this.options.describe(error)}`,
      {
        ...this.options.fields,
        ...extra,
        errorCode: (error as { code?: unknown } | undefined)?.code,
      },
    );
  }

  /** A call succeeded or the connection became ready. */
  succeeded(): void {
    if (!this.down) return;
    this.down = false;
    if (this.loggedThisOutage) {
      this.options.logger.info('Redis cache reachable again', {
        ...this.options.fields,
        outageMs: this.now() - this.downSince,
        failures: this.failuresThisOutage,
      });
    }
  }
}
