import { z } from 'zod';
import { decodeMessage } from '../storage/queues';

/**
 * One page of one (subscription, type[, resource group]) task. A discoverer with a state
 * listing pages both in the same message, each with its own continuation.
 */
export const pageMessageSchema = z.object({
  kind: z.literal('page'),
  scanId: z.string().min(1).max(100),
  taskId: z.string().min(1).max(400),
  subscriptionId: z.string().min(1),
  resourceType: z.string().min(1),
  resourceGroup: z.string().optional(),
  /** Azure DevOps tasks: the project (subscriptionId holds the organisation). */
  project: z.string().optional(),
  page: z.number().int().min(1),
  continuationToken: z.string().optional(),
  stateContinuationToken: z.string().optional(),
  /** The primary listing has no more pages (only the state listing continues). */
  primaryDone: z.boolean().optional(),
  /** The state listing has no more pages. */
  stateDone: z.boolean().optional(),
  /** The task's pages come from a Resource Graph `$skipToken` chain (continuationToken is its skip token). */
  source: z.enum(['resourcegraph']).optional(),
  /**
   * A Resource Graph chain over a batch of tasks (src/scan/planChains.ts): the query's
   * subscriptions and types, and which of those subscriptions this scan is the baseline of.
   * The message's taskId is the chain's lead task; every task of the batch carries `chain`.
   */
  chain: z
    .object({
      subscriptionIds: z.array(z.string().min(1)).min(1),
      types: z.array(z.string().min(1)).min(1),
      baseline: z.array(z.string()).optional(),
    })
    .optional(),
  /** The scan is the first of this subscription: new rows are its baseline, not `added`. */
  baseline: z.boolean().optional(),
  correlationId: z.string().min(1),
  traceparent: z.string().optional(),
});
export type PageMessage = z.infer<typeof pageMessageSchema>;

export const finalizeMessageSchema = z.object({
  kind: z.literal('finalize'),
  scanId: z.string().min(1).max(100),
  reason: z.enum(['tasks-done', 'watchdog']).default('tasks-done'),
  correlationId: z.string().min(1),
  traceparent: z.string().optional(),
});
export type FinalizeMessage = z.infer<typeof finalizeMessageSchema>;

/** Parses a queue payload (already-decoded object, JSON text, or base64 JSON text). */
export function parseQueuePayload<T>(
  schema: z.ZodType<T>,
  payload: unknown,
): { ok: true; value: T } | { ok: false; error: string } {
  let value = payload;
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
    try {
      value = decodeMessage(typeof payload === 'string' ? payload : payload.toString('utf8'));
    } catch {
      return { ok: false, error: 'message is not JSON (nor base64-encoded JSON)' };
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    return {
      ok: false,
      error: result.error.issues.map((i) => `${i.path.join('.') || 'message'}: ${i.message}`).join('; '),
    };
  }
  return { ok: true, value: result.data };
}
