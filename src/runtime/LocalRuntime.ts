import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import type { DequeuedMessageItem, QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { Cron } from 'croner';
import { POISON_SUFFIX } from '../discovery/registry';
import { traceIncomingRequests } from '../telemetry/appInsights';
import { createLogger, type Logger } from '../telemetry/logger';
import { setRequestRoute, withoutTracing } from '../telemetry/traceContext';
import type { Checkpoint } from './Checkpoint';
import type { FunctionDefinition } from './definitions';
import type { HostConfig } from './hostConfig';
import { MessageLease } from './MessageLease';

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

export interface RuntimeStats {
  invocations: Record<string, number>;
  failures: Record<string, number>;
  poisoned: Record<string, number>;
}

const MAX_BODY_BYTES = 1024 * 1024;
/**
 * The local message lease, in milliseconds. The Functions host receives with 10 minutes and
 * renews; locally a short lease makes a killed `npm start` resume in seconds, and renewal keeps
 * a long handler's message hidden all the same.
 */
export const DEFAULT_MESSAGE_LEASE_MS = 20_000;

/**
 * Hosts the same function definitions as the Azure Functions host, for laptops and CI:
 * HTTP routes on a port, queue polling with host.json's batch size, threshold, visibility
 * timeout and maxDequeueCount (then `<queue>-poison`), timers on their NCRONTAB schedules.
 */
export class LocalRuntime {
  private server?: http.Server;
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
    await this.startHttp();
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
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    }
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

  private async startHttp(): Promise<void> {
    const prefix = `/${this.options.host.routePrefix}`.replace(/\/+$/, '');
    const routes = this.options.definitions
      .filter((d): d is Extract<FunctionDefinition, { kind: 'http' }> => d.kind === 'http')
      .map((def) => {
        const names: string[] = [];
        const pattern = def.route.replace(/\{(\w+)\}/g, (_, name: string) => {
          names.push(name);
          return '([^/]+)';
        });
        return { def, names, regex: new RegExp(`^${prefix}/${pattern}/?$`, 'i') };
      });
    this.server = http.createServer((req, res) => {
      void this.serve(req, res, routes).catch((e) => {
        this.logger.error('local HTTP host failed', { error: (e as Error).message });
        if (!res.headersSent)
          send(res, {
            status: 500,
            jsonBody: { error: { code: 'InternalError', message: 'local host failure' } },
          });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'EADDRINUSE'
            ? new Error(
                `port ${this.options.port} is already in use: set PORT to a free port (or 0 to pick one)`,
              )
            : e,
        ),
      );
      this.server?.listen(this.options.port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : this.options.port;
    this.untraceIncoming = traceIncomingRequests(this.port);
  }

  private async serve(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    routes: Array<{ def: Extract<FunctionDefinition, { kind: 'http' }>; names: string[]; regex: RegExp }>,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const matching = routes
      .map((r) => ({ r, m: r.regex.exec(url.pathname) }))
      .filter((x): x is { r: (typeof routes)[number]; m: RegExpExecArray } => x.m !== null);
    if (!matching.length) {
      send(res, {
        status: 404,
        jsonBody: { error: { code: 'NotFound', message: `no route ${method} ${url.pathname}` } },
      });
      return;
    }
    const hit = matching.find((x) => x.r.def.methods.includes(method as 'GET' | 'POST'));
    if (!hit) {
      const allowed = [...new Set(matching.flatMap((x) => x.r.def.methods))].join(', ');
      send(res, {
        status: 405,
        headers: { allow: allowed },
        jsonBody: {
          error: {
            code: 'MethodNotAllowed',
            message: `${method} is not allowed on ${url.pathname}; use ${allowed}`,
          },
        },
      });
      return;
    }
    setRequestRoute(`/${this.options.host.routePrefix}/${hit.r.def.route}`.replace(/\/{2,}/g, '/'));
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        send(res, {
          status: 413,
          jsonBody: { error: { code: 'PayloadTooLarge', message: 'request body over 1 MiB' } },
        });
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const params: Record<string, string> = {};
    hit.r.names.forEach((name, i) => {
      params[name] = decodeURIComponent(hit.m[i + 1] ?? '');
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      query,
      params,
      body: chunks.length ? { bytes: Buffer.concat(chunks) } : undefined,
    });
    const name = hit.r.def.name;
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: name,
      logHandler: this.logHandler(name),
    });
    this.stats.invocations[name] = (this.stats.invocations[name] ?? 0) + 1;
    const response = await hit.r.def.handler(request, context);
    // A write is answered once it is durable: a 202 means the scan survives a kill.
    if (method !== 'GET' && method !== 'HEAD') await this.options.checkpoint?.flush(true);
    send(res, response);
  }
}

function send(res: http.ServerResponse, response: HttpResponseInit): void {
  const headers: Record<string, string> = {};
  new Headers(response.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => {
    headers[k] = v;
  });
  let body: string | Buffer = '';
  if (response.jsonBody !== undefined) {
    // Compact, as the Functions host sends jsonBody: indenting the 12 MB graph answer cost 0.8 s.
    body = JSON.stringify(response.jsonBody);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (typeof response.body === 'string') {
    body = response.body;
  } else if (response.body instanceof Uint8Array) {
    body = Buffer.from(response.body);
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(body);
}

class QueuePoller {
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
    private readonly options: LocalRuntimeOptions,
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
