import { InvocationContext } from '@azure/functions';
import type { QueueServiceClient } from '@azure/storage-queue';
import type { FunctionDefinition } from '../../src/runtime/definitions';
import { decodeMessage } from '../../src/storage/queues';

export type QueueDef = Extract<FunctionDefinition, { kind: 'queue' }>;

/**
 * Delivers every queue message by hand, through the same definitions the hosts load:
 * each one twice under different message ids (a duplicate send) and once more under its
 * own id (a redelivery after a crash). Returns how many messages each queue carried.
 */
export async function pumpWithDuplicates(
  queues: QueueServiceClient,
  defs: QueueDef[],
): Promise<Record<string, number>> {
  const carried: Record<string, number> = {};
  for (let idle = 0; idle < 3;) {
    let any = false;
    for (const def of defs) {
      const client = queues.getQueueClient(def.queueName);
      const { receivedMessageItems } = await client.receiveMessages({
        numberOfMessages: 32,
        visibilityTimeout: 60,
      });
      for (const m of receivedMessageItems) {
        any = true;
        carried[def.queueName] = (carried[def.queueName] ?? 0) + 1;
        const payload = decodeMessage(m.messageText);
        const deliver = (id: string) =>
          def.handler(
            payload,
            new InvocationContext({
              invocationId: id,
              functionName: def.name,
              triggerMetadata: { id, dequeueCount: 1 },
            }),
          );
        await deliver(m.messageId);
        await deliver(`${m.messageId}-duplicate`);
        await deliver(m.messageId);
        await client.deleteMessage(m.messageId, m.popReceipt);
      }
    }
    idle = any ? 0 : idle + 1;
  }
  return carried;
}
