import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import type { DequeuedMessageItem, QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { POISON_SUFFIX } from '../discovery/registry';
import type { Logger } from '../telemetry/logger';
import { withoutTracing } from '../telemetry/traceContext';
import type { Checkpoint } from './Checkpoint';
import type { FunctionDefinition } from './definitions';
import type { HostConfig } from './hostConfig';
import { MessageLease } from './MessageLease';

/**
 * The local message lease, in milliseconds. The Functions host receives with 10 minutes and
 * renews; locally a short lease makes a killed `npm start` resume in seconds, and renewal keeps
 * a long handler's message hidden all the same.
 */
export const DEFAULT_MESSAGE_LEASE_MS = 20_000;

export interface RuntimeStats {
  invocations: Record<string, number>;
  failures: Record<string, number>;
  poisoned: Record<string, number>;
}

export interface QueuePollerOptions {
  queueService: QueueServiceClient;
  host: HostConfig;
  /** Shortest wait between polls of an empty queue, in milliseconds (the host backs off up to maxPollingInterval). */
  minPollingIntervalMs?: number;
  /** How long a received message stays hidden, in milliseconds, renewed every quarter of it. */
  messageLeaseMs?: number;
  /** Made durable before a handled message is deleted. */
  checkpoint?: Checkpoint;
}

/**
 * One queue's trigger, as the Functions host runs it: polls with host.json's batch size and
 * threshold (backing off while empty), leases each message while its handler runs, deletes it
 * once the store is durable, and after maxDequeueCount failures moves it to `<queue>-poison`.
 */
export class QueuePoller {
  private client: QueueClient;
  private poisonClient: QueueClient;
  private running = false;
  private inFlight = 0;
  /** Handled messages waiting for a checkpoint before their deletion (still hidden, still leased). */
  private acking = 0;
  private lastPollEmpty = false;
  private delayMs: number;
  private wakeUp?: () => void;
  private loopDone?: Promise<void>;
  private readonly active = new Set<Promise<void>>();
  private readonly minDelayMs: number;

  constructor(
    private readonly def: Extract<FunctionDefinition, { kind: 'queue' }>,
    private readonly options: QueuePollerOptions,
    private readonly stats: RuntimeStats,
    private readonly logger: Logger,
  ) {
    this.client = options.queueService.getQueueClient(def.queueName);
    this.poisonClient = options.queueService.getQueueClient(def.queueName + POISON_SUFFIX);
    this.minDelayMs = options.minPollingIntervalMs ?? 25;
    this.delayMs = this.minDelayMs;
  }

  private get leaseMs(): number {
    return this.options.messageLeaseMs ?? DEFAULT_MESSAGE_LEASE_MS;
  }

  async init(): Promise<void> {
    await this.client.createIfNotExists();
    if (!this.def.queueName.endsWith(POISON_SUFFIX)) await this.poisonClient.createIfNotExists();
  }

  start(): void {
    this.running = true;
    this.loopDone = this.loop();
  }

  wake(): void {
    this.delayMs = this.minDelayMs;
    this.wakeUp?.();
  }

  isIdle(): boolean {
    return this.inFlight === 0 && this.acking === 0 && this.lastPollEmpty;
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loopDone;
    await Promise.allSettled([...this.active]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private async loop(): Promise<void> {
    const { batchSize, newBatchThreshold, maxPollingIntervalMs } = this.options.host;
    while (this.running) {
      // As the Functions host: fetch a new batch only when in-flight work drops to the threshold.
      if (this.inFlight > newBatchThreshold) {
        await this.sleep(maxPollingIntervalMs);
        continue;
      }
      let messages: DequeuedMessageItem[];
      try {
        const want = Math.min(32, Math.max(1, batchSize - this.inFlight));
        messages = (
          await withoutTracing(() =>
            this.client.receiveMessages({
              numberOfMessages: want,
              visibilityTimeout: Math.ceil(this.leaseMs / 1000),
            }),
          )
        ).receivedMessageItems;
      } catch (e) {
        if (!this.running) break;
        this.logger.warn('queue poll failed; backing off', {
          queue: this.def.queueName,
          error: (e as Error).message,
        });
        await this.sleep(Math.min(maxPollingIntervalMs, 1000));
        continue;
      }
      this.lastPollEmpty = messages.length === 0;
      if (messages.length) {
        this.delayMs = this.minDelayMs;
        for (const m of messages) {
          const p = this.dispatch(m).finally(() => {
            this.active.delete(p);
            this.wake();
          });
          this.active.add(p);
        }
        continue;
      }
      await this.sleep(this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, maxPollingIntervalMs);
    }
  }

  private decode(text: string): unknown {
    const raw =
      this.options.host.messageEncoding === 'base64' ? Buffer.from(text, 'base64').toString('utf8') : text;
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }

  private async dispatch(m: DequeuedMessageItem): Promise<void> {
    this.inFlight++;
    const name = this.def.name;
    const queue = this.def.queueName;
    this.stats.invocations[name] = (this.stats.invocations[name] ?? 0) + 1;
    const lease = new MessageLease({
      client: this.client,
      messageId: m.messageId,
      popReceipt: m.popReceipt,
      leaseMs: this.leaseMs,
      renewEveryMs: Math.max(50, Math.floor(this.leaseMs / 4)),
      maxHoldMs: this.options.host.functionTimeoutMs,
      onRenewFailed: (e) =>
        this.logger.warn('could not renew a message lease; it may be delivered again', {
          queue,
          messageId: m.messageId,
          error: e.message,
        }),
      onHoldExceeded: () =>
        this.logger.error(
          'function ran past functionTimeout (host.json); its message is released for another attempt',
          {
            queue,
            messageId: m.messageId,
            functionTimeoutMs: this.options.host.functionTimeoutMs,
          },
        ),
    }).start();
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: name,
      triggerMetadata: {
        id: m.messageId,
        dequeueCount: m.dequeueCount,
        popReceipt: m.popReceipt,
        insertionTime: m.insertedOn,
        expirationTime: m.expiresOn,
        queueTrigger: m.messageText,
      },
    });
    let failure: { error: unknown } | undefined;
    try {
      await this.def.handler(this.decode(m.messageText), context);
    } catch (e) {
      failure = { error: e };
    } finally {
      this.inFlight--;
    }
    if (failure) {
      this.stats.failures[name] = (this.stats.failures[name] ?? 0) + 1;
      const popReceipt = await lease.stop();
      await withoutTracing(() => this.afterFailure({ ...m, popReceipt }, failure.error)).catch((err) =>
        this.logger.error('could not release a failed message; it reappears after its lease', {
          queue,
          error: (err as Error).message,
        }),
      );
      return;
    }
    // The deletion says "done": it must not outlive the handler's writes in a kill. The lease
    // keeps the message hidden meanwhile; the handler's slot is already free for new work.
    this.acking++;
    try {
      // Once stopping, nobody should wait on the spacing between saves.
      await this.options.checkpoint?.flush(!this.running);
      const popReceipt = await lease.stop();
      await withoutTracing(() => this.client.deleteMessage(m.messageId, popReceipt));
    } catch (e) {
      await lease.stop();
      this.logger.warn(
        'could not delete a handled message; it will be delivered again (handlers are idempotent)',
        {
          queue,
          messageId: m.messageId,
          error: (e as Error).message,
        },
      );
    } finally {
      this.acking--;
    }
  }

  private async afterFailure(m: DequeuedMessageItem, error: unknown): Promise<void> {
    const { maxDequeueCount, visibilityTimeoutMs } = this.options.host;
    const isPoisonQueue = this.def.queueName.endsWith(POISON_SUFFIX);
    if (m.dequeueCount >= maxDequeueCount && !isPoisonQueue) {
      this.stats.poisoned[this.def.queueName] = (this.stats.poisoned[this.def.queueName] ?? 0) + 1;
      this.logger.warn('message moved to the poison queue', {
        queue: this.def.queueName,
        messageId: m.messageId,
        dequeueCount: m.dequeueCount,
        error: (error as Error).message,
      });
      await this.poisonClient.sendMessage(m.messageText);
      await this.client.deleteMessage(m.messageId, m.popReceipt);
      return;
    }
    this.logger.debug('function failed; message will be retried', {
      queue: this.def.queueName,
      dequeueCount: m.dequeueCount,
      error: (error as Error).message,
    });
    await this.client.updateMessage(
      m.messageId,
      m.popReceipt,
      undefined,
      Math.round(visibilityTimeoutMs / 1000),
    );
  }
}
