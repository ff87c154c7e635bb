import { randomUUID } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import type { QueueServiceClient } from '@azure/storage-queue';
import { Cron } from 'croner';
import { traceIncomingRequests } from '../telemetry/appInsights';
import { createLogger, type Logger } from '../telemetry/logger';
import { withoutTracing } from '../telemetry/traceContext';
import type { Checkpoint } from './Checkpoint';
import type { FunctionDefinition } from './definitions';
import type { HostConfig } from './hostConfig';
import { LocalHttpHost } from './LocalHttpHost';
import { DEFAULT_MESSAGE_LEASE_MS, QueuePoller, type RuntimeStats } from './QueuePoller';

export interface LocalRuntimeOptions {
  definitions: FunctionDefinition[];
  queueService: QueueServiceClient;
  host: HostConfig;
  /** HTTP port; 0 lets the OS pick. */
  port: number;
  /** Resolves `%NAME%` in timer schedules, as the Functions host does from app settings. */
  resolveSetting: (name: string) => string | undefined;
  logger?: Logger;
  /** Fire timers on their schedules (default true). */
  timers?: boolean;
  /** Shortest wait between polls of an empty queue, in milliseconds (the host backs off up to maxPollingInterval). */
  minPollingIntervalMs?: number;
  /**
   * How long a received message stays hidden, in milliseconds, renewed every quarter of it
   * while its handler runs: what a killed process costs before its messages are retried.
   */
  messageLeaseMs?: number;
  /** Makes the store durable before an HTTP write is answered and before a handled message is deleted. */
  checkpoint?: Checkpoint;
}

export { DEFAULT_MESSAGE_LEASE_MS, type RuntimeStats };

/**
 * Hosts the same function definitions as the Azure Functions host, for laptops and CI:
 * HTTP routes on a port, queue polling with host.json's batch size, threshold, visibility
 * timeout and maxDequeueCount (then `<queue>-poison`), timers on their NCRONTAB schedules.
 */
export class LocalRuntime {
  private http?: LocalHttpHost;
  private readonly pollers = new Map<string, QueuePoller>();
  private readonly crons: Cron[] = [];
  private readonly logger: Logger;
  private untraceIncoming?: () => void;
  readonly stats: RuntimeStats = { invocations: {}, failures: {}, poisoned: {} };
  port = 0;

  constructor(private readonly options: LocalRuntimeOptions) {
    this.logger = options.logger ?? createLogger('runtime');
  }

  async start(): Promise<{ port: number }> {
    const { definitions } = this.options;
    for (const def of definitions) {
      if (def.kind === 'queue') {
        const poller = new QueuePoller(def, this.options, this.stats, this.logger);
        this.pollers.set(def.queueName, poller);
      }
    }
    // Polling is host machinery, not an operation (the Functions host does it outside the worker).
    await withoutTracing(() => Promise.all([...this.pollers.values()].map((p) => p.init())));
    for (const p of this.pollers.values()) p.start();
    if (this.options.timers !== false) this.startTimers();
    this.http = new LocalHttpHost({
      definitions,
      routePrefix: this.options.host.routePrefix,
      port: this.options.port,
      checkpoint: this.options.checkpoint,
      stats: this.stats,
      logger: this.logger,
      logHandler: (name) => this.logHandler(name),
    });
    this.port = await this.http.start();
    this.untraceIncoming = traceIncomingRequests(this.port);
    return { port: this.port };
  }

  /** Wakes a queue's poller at once (a message was just enqueued by this process). */
  wake(queueName: string): void {
    this.pollers.get(queueName)?.wake();
  }

  /** True when no queue handler is running and the last poll of every queue found nothing. */
  isIdle(): boolean {
    return [...this.pollers.values()].every((p) => p.isIdle());
  }

  async stop(): Promise<void> {
    for (const c of this.crons) c.stop();
    const stopping = Promise.all([...this.pollers.values()].map((p) => p.stop()));
    // Handled messages waiting on a spaced save would hold the stop up: save now instead.
    await this.options.checkpoint?.flush(true).catch(() => undefined);
    await stopping;
    this.untraceIncoming?.();
    await this.http?.close();
  }

  private startTimers(): void {
    for (const def of this.options.definitions) {
      if (def.kind !== 'timer') continue;
      const schedule = def.schedule.replace(
        /^%(\w+)%$/,
        (_, name: string) => this.options.resolveSetting(name) ?? '',
      );
      let isPastDue = false;
      const cron = new Cron(schedule, { protect: true }, async () => {
        const context = new InvocationContext({
          invocationId: randomUUID(),
          functionName: def.name,
          logHandler: this.logHandler(def.name),
        });
        try {
          await def.handler(
            { isPastDue, schedule: { adjustForDST: false }, scheduleStatus: undefined } as never,
            context,
          );
        } catch (e) {
          this.logger.error('timer function failed', { functionName: def.name, error: (e as Error).message });
        }
        // A timer may have started a scan: saved with the next grouped save (nobody waits on it).
        await this.options.checkpoint
          ?.flush()
          .catch((e: Error) => this.logger.error('could not save the local store', { error: e.message }));
        isPastDue = false;
      });
      this.crons.push(cron);
      this.logger.debug('timer scheduled', {
        functionName: def.name,
        schedule,
        next: cron.nextRun()?.toISOString(),
      });
    }
  }

  private logHandler(functionName: string) {
    return (level: string, ...args: unknown[]) => {
      const message = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
      const l =
        level === 'error' || level === 'critical'
          ? 'error'
          : level === 'warning'
            ? 'warn'
            : level === 'information'
              ? 'info'
              : 'debug';
      this.logger[l](message, { functionName });
    };
  }
}
