import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import type { Checkpoint } from '../../src/runtime/Checkpoint';
import type { FunctionDefinition } from '../../src/runtime/definitions';
import { loadHostConfig, type HostConfig } from '../../src/runtime/hostConfig';
import { LocalRuntime } from '../../src/runtime/LocalRuntime';
import { encodeMessage } from '../../src/storage/queues';
import { createLogger } from '../../src/telemetry/logger';
import '../support/localHost'; // quiet log sink

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('the local runtime message lease', () => {
  let azurite: RunningAzurite;
  let service: QueueServiceClient;
  let runtime: LocalRuntime | undefined;
  let queueSeq = 0;

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    service = QueueServiceClient.fromConnectionString(azurite.connectionString);
  });
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });
  afterAll(async () => azurite?.close());

  async function host(options: {
    handler: (message: unknown) => Promise<void>;
    leaseMs: number;
    host?: Partial<HostConfig>;
    checkpoint?: Checkpoint;
  }) {
    const queueName = `lease-test-${++queueSeq}`;
    const definitions: FunctionDefinition[] = [
      { kind: 'queue', name: 'slow', queueName, handler: (m) => options.handler(m) },
    ];
    runtime = new LocalRuntime({
      definitions,
      queueService: service,
      host: { ...loadHostConfig(), visibilityTimeoutMs: 0, maxPollingIntervalMs: 100, ...options.host },
      port: 0,
      resolveSetting: () => undefined,
      timers: false,
      messageLeaseMs: options.leaseMs,
      checkpoint: options.checkpoint,
      logger: createLogger('lease-test'),
    });
    await runtime.start();
    const queue = service.getQueueClient(queueName);
    const count = async () => (await queue.getProperties()).approximateMessagesCount ?? -1;
    return { queue, count, runtime };
  }

  it('keeps a handler that runs three leases long from being delivered twice, then deletes its message', async () => {
    const calls: number[] = [];
    let finished = 0;
    const {
      queue,
      count,
      runtime: rt,
    } = await host({
      leaseMs: 1000,
      handler: async () => {
        calls.push(calls.length + 1);
        await sleep(3500);
        finished++;
      },
    });
    await queue.sendMessage(encodeMessage({ n: 1 }));
    await until('the handler to finish', () => finished === 1);
    await until('the message to be deleted', async () => (await count()) === 0);
    // Past another whole lease: a message whose lease had lapsed would have been picked up again.
    await sleep(1200);
    expect(calls).toEqual([1]);
    expect(rt.stats.failures).toEqual({});
    expect(await count()).toBe(0);
  });

  it('releases the message of a handler that runs past functionTimeout, as the host does', async () => {
    let calls = 0;
    const { queue } = await host({
      leaseMs: 1000,
      host: { functionTimeoutMs: 1200 },
      handler: async () => {
        calls++;
        if (calls === 1) await sleep(4000);
      },
    });
    await queue.sendMessage(encodeMessage({ n: 1 }));
    // Renewals stop at 1.2 s; the lease then lapses and the message is delivered again.
    await until('a second delivery', () => calls >= 2);
    expect(calls).toBe(2);
  });

  it('deletes a handled message only once the store has saved what its handler wrote', async () => {
    let release!: () => void;
    const saved = new Promise<void>((r) => (release = r));
    let flushes = 0;
    let handled = 0;
    const {
      queue,
      count,
      runtime: rt,
    } = await host({
      leaseMs: 1000,
      checkpoint: {
        flush: async () => {
          flushes++;
          await saved;
        },
      },
      handler: async () => {
        handled++;
      },
    });
    await queue.sendMessage(encodeMessage({ n: 1 }));
    await until('the handler to run', () => handled === 1 && flushes === 1);
    // Waiting for the save across two leases: still there, still hidden (renewed), not redelivered.
    await sleep(2200);
    expect(await count()).toBe(1);
    expect(handled).toBe(1);
    expect(rt.isIdle()).toBe(false);
    release();
    await until('the message to be deleted', async () => (await count()) === 0);
    expect(handled).toBe(1);
  });
});
