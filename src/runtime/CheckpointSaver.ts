import type { Checkpoint, CheckpointStats } from './Checkpoint';
import { commitGroup, type CommitStep } from './groupCommit';

/** The part of a LokiJS database (Azurite's metadata store) the saver drives. */
export interface SavableDb {
  /** The file it loads from at start-up. */
  filename: string;
  serialize(): string;
  autosaveDirty(): boolean;
  autosaveClearFlags(): void;
  autosaveDisable(): void;
}

export interface CheckpointSaverOptions {
  /**
   * Saved together: one synchronous pass serializes every changed database (a consistent cut,
   * no write lands between two of them), and the files are replaced as a group (groupCommit.ts),
   * so a kill at any line leaves the previous checkpoint or this one, never a mix. (Saved one
   * after the other, a kill between two files kept a table snapshot newer than the queue's: a
   * page marked done whose next page's message was gone, and the scan stalled.)
   */
  dbs: SavableDb[];
  /** The group commit's journal file (beside the databases). */
  journal: string;
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
  /** Tests: called after each step of a save's commit (a throw there stops it as a kill would). */
  afterStep?: (step: CommitStep, index?: number) => void;
}

/**
 * Replaces Azurite's independent 5-second autosaves with on-demand saves of every database as
 * one. Concurrent flush calls share one save (a group commit): a caller waits for the save that
 * starts after its call, never for one per caller.
 */
export class CheckpointSaver implements Checkpoint {
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
  /** Databases whose snapshot was taken but not committed (the save failed). */
  private readonly unsaved = new Set<SavableDb>();
  readonly stats: CheckpointStats = { saves: 0, totalMs: 0, maxMs: 0 };

  constructor(private readonly options: CheckpointSaverOptions) {
    for (const db of options.dbs) db.autosaveDisable();
    if (options.idleSaveMs) {
      this.idleTimer = setInterval(() => {
        if (this.unsaved.size || options.dbs.some((db) => db.autosaveDirty()))
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
    // A database whose last save failed is saved again even if nothing changed since.
    const dirty = this.options.dbs.filter((db) => this.unsaved.has(db) || db.autosaveDirty());
    if (dirty.length) {
      const files = dirty.map((db) => ({ file: db.filename, text: db.serialize() }));
      for (const db of dirty) {
        db.autosaveClearFlags();
        this.unsaved.add(db);
      }
      await commitGroup(this.options.journal, files, this.options.afterStep);
      for (const db of dirty) this.unsaved.delete(db);
    }
    const ms = performance.now() - started;
    this.lastDurationMs = ms;
    this.stats.saves++;
    this.stats.totalMs += ms;
    this.stats.maxMs = Math.max(this.stats.maxMs, ms);
  }
}
