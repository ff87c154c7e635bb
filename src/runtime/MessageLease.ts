import type { QueueClient } from '@azure/storage-queue';
import { withoutTracing } from '../telemetry/traceContext';

export interface MessageLeaseOptions {
  client: QueueClient;
  messageId: string;
  /** The receipt the receive returned; each renewal replaces it. */
  popReceipt: string;
  /** How long the message stays hidden after each renewal, in milliseconds. */
  leaseMs: number;
  /** Time between renewals, in milliseconds (well under leaseMs, so a slow renewal still lands in time). */
  renewEveryMs: number;
  /**
   * Longest the handler may hold the message, in milliseconds (host.json functionTimeout). Past
   * it renewals stop, so the message reappears for another attempt, as after a host timeout.
   */
  maxHoldMs: number;
  onRenewFailed?: (error: Error) => void;
  onHoldExceeded?: () => void;
}

/**
 * Keeps one received message hidden while its handler runs, as the Functions host does: a short
 * lease renewed on a timer, so a crash costs one lease (seconds) while a long handler is never
 * delivered twice because its lease ran out.
 */
export class MessageLease {
  private receipt: string;
  private timer?: NodeJS.Timeout;
  private renewal: Promise<void> = Promise.resolve();
  private readonly startedMs = Date.now();
  private stopped = false;

  constructor(private readonly options: MessageLeaseOptions) {
    this.receipt = options.popReceipt;
  }

  /** The receipt that currently owns the message (delete and update need the newest). */
  get popReceipt(): string {
    return this.receipt;
  }

  start(): this {
    this.timer = setInterval(() => this.tick(), this.options.renewEveryMs);
    // A renewal timer must not keep a stopping process alive.
    this.timer.unref();
    return this;
  }

  /** Stops renewing; resolves once a renewal in progress has landed (its receipt is then current). */
  async stop(): Promise<string> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.renewal;
    return this.receipt;
  }

  private tick(): void {
    if (this.stopped) return;
    if (Date.now() - this.startedMs >= this.options.maxHoldMs) {
      this.stopped = true;
      if (this.timer) clearInterval(this.timer);
      this.options.onHoldExceeded?.();
      return;
    }
    // Renewals of one message run one at a time: each needs the receipt the previous one returned.
    this.renewal = this.renewal.then(() => this.renew());
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    const { client, messageId, leaseMs } = this.options;
    try {
      const res = await withoutTracing(() =>
        client.updateMessage(messageId, this.receipt, undefined, Math.ceil(leaseMs / 1000)),
      );
      if (res.popReceipt) this.receipt = res.popReceipt;
    } catch (e) {
      this.options.onRenewFailed?.(e as Error);
    }
  }
}
