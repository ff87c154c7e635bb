import { QueueClient, QueueServiceClient } from '@azure/storage-queue';
import { QUEUE_RETRY, type StorageAccess } from './tables';

/**
 * The port every producer uses to enqueue work. Messages are JSON, base64-encoded on the
 * wire: the Functions host's default `extensions.queues.messageEncoding` (host.json).
 */
export interface QueueSender {
  send(queueName: string, message: unknown, options?: { visibilityTimeoutSeconds?: number }): Promise<void>;
}

export function encodeMessage(message: unknown): string {
  return Buffer.from(JSON.stringify(message), 'utf8').toString('base64');
}

/** Decodes what a queue holds: base64 JSON, or plain JSON (a message sent by hand). */
export function decodeMessage(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return JSON.parse(trimmed);
  return JSON.parse(Buffer.from(trimmed, 'base64').toString('utf8'));
}

export function createQueueServiceClient(access: StorageAccess): QueueServiceClient {
  return access.kind === 'connectionString'
    ? QueueServiceClient.fromConnectionString(access.connectionString, { retryOptions: QUEUE_RETRY })
    : new QueueServiceClient(access.queueUrl, access.credential, { retryOptions: QUEUE_RETRY });
}

export function createQueueSender(
  service: QueueServiceClient,
  onSent?: (queueName: string) => void,
): QueueSender & { ensureQueue(name: string): Promise<void>; client(name: string): QueueClient } {
  const clients = new Map<string, QueueClient>();
  const created = new Set<string>();
  const client = (name: string): QueueClient => {
    let c = clients.get(name);
    if (!c) {
      c = service.getQueueClient(name);
      clients.set(name, c);
    }
    return c;
  };
  const ensureQueue = async (name: string): Promise<void> => {
    if (created.has(name)) return;
    await client(name).createIfNotExists();
    created.add(name);
  };
  return {
    client,
    ensureQueue,
    async send(queueName, message, options) {
      await ensureQueue(queueName);
      await client(queueName).sendMessage(encodeMessage(message), {
        visibilityTimeout: options?.visibilityTimeoutSeconds,
      });
      onSent?.(queueName);
    },
  };
}
