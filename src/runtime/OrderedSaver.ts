import type { Checkpoint, CheckpointStats } from './Checkpoint';

/** The part of a LokiJS database (Azurite's metadata store) the saver drives. */
export interface SavableDb {
  saveDatabase(callback: (err?: unknown) => void): void;
  autosaveDirty(): boolean;
  autosaveDisable(): void;
}

export interface OrderedSaverOptions {
  /**
   * Saved one after the other in this order, each snapshot taken after the previous one is on
   * disk. Put first what later databases refer to: tables before queues (a page's marker and rows
   * before the deletion of its message), queue extents before queue metadata (a message's text
   * before the message).
   */
  dbs: SavableDb[];
  /** Shortest time between the starts of two saves, in milliseconds: bounds the save rate under load. */
  minSpacingMs?: number;
  /**
   * Largest share of the time spent saving when saves are not urgent (0..1): the spacing grows
   * with the last save's duration, as the store (and each save, which writes all of it) grows.
   */
  maxBusyShare?: number;
  /** Saves a dirty store this often even when nobody asks, in milliseconds (Azurite's own default is 5000). */
  idleSaveMs?: number;
  /** A background save failed (the next flush tries again). */
  onError?: (error: Error) => void;
}

/**
 * Replaces Azurite's independent 5-second autosaves with ordered, on-demand saves. Concurrent
 * flush calls share one save (a group commit): a caller waits for the save that starts after
 * its call, never for one per caller.
 */
export class OrderedSaver implements Checkpoint {
  private current: Promise<void> = Promise.resolve();
  private next?: Promise<void>;
  private lastStartMs = 0;
  private lastDurationMs = 0;
  /** Ends the spacing wait of the queued save (an urgent caller arrived). */
  private hurry?: () => void;
  /** An urgent caller waits on the queued save. */
  private urgent = false;
  private readonly idleTimer?: NodeJS.Timeout;
  private closed = false;
  readonly stats: CheckpointStats = { saves: 0, totalMs: 0, maxMs: 0 };

  constructor(private readonly options: OrderedSaverOptions) {
    for (const db of options.dbs) db.autosaveDisable();
    if (options.idleSaveMs) {
      this.idleTimer = setInterval(() => {
        if (options.dbs.some((db) => db.autosaveDirty()))
          this.flush().catch((e: Error) => options.onError?.(e));
      }, options.idleSaveMs);
      this.idleTimer.unref();
    }
  }

  /**
   * @param urgent skip the spacing: someone waits on the answer (an HTTP write, a scan start).
   *   Otherwise the save may wait up to minSpacingMs after the previous one, which only delays
   *   message deletions (their leases keep them hidden meanwhile).
   */
  flush(urgent = false): Promise<void> {
    if (this.closed) return this.current;
    // A save queued but not started yet will snapshot this caller's writes too.
    this.next ??= this.queueSave();
    if (urgent) this.hurry?.();
    this.urgent ||= urgent;
    return this.next;
  }

  /** Saves what is left and stops the idle timer (graceful stop). */
  async close(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    await this.flush(true);
    this.closed = true;
  }

  private async queueSave(): Promise<void> {
    await this.current.catch(() => undefined);
    const { minSpacingMs = 0, maxBusyShare } = this.options;
    const spacing = Math.max(minSpacingMs, maxBusyShare ? this.lastDurationMs / maxBusyShare : 0);
    const wait = this.lastStartMs + spacing - Date.now();
    if (wait > 0 && !this.urgent) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.hurry = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.hurry = undefined;
    this.urgent = false;
    // From here on, a new caller needs the save after this one: its writes may miss this snapshot.
    this.next = undefined;
    this.lastStartMs = Date.now();
    this.current = this.saveAll();
    return this.current;
  }

  private async saveAll(): Promise<void> {
    const started = performance.now();
    for (const db of this.options.dbs) {
      if (!db.autosaveDirty()) continue;
      await new Promise<void>((resolve, reject) =>
        db.saveDatabase((err) =>
          err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
        ),
      );
    }
    const ms = performance.now() - started;
    this.lastDurationMs = ms;
    this.stats.saves++;
    this.stats.totalMs += ms;
    this.stats.maxMs = Math.max(this.stats.maxMs, ms);
  }
}
