import { z } from 'zod';
import type { ChangeLog, ChangePage } from '../changes/ChangeLog';
import type { ReadCache } from './ResourcesApi';
import { RESOURCES_CACHE_NAMESPACE } from './ResourcesApi';
import { continuationTokenSchema, pageLimitSchema, parseOrThrow, resourceTypeSchema } from './validation';

const isoTime = z
  .string()
  .refine(
    (v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)),
    {
      message: 'must be an ISO 8601 time such as 2026-11-28T00:00:00Z',
    },
  )
  .transform((v) => new Date(v).toISOString());

export const changesQuerySchema = z
  .object({
    since: isoTime.optional(),
    until: isoTime.optional(),
    resourceId: z
      .string()
      .startsWith('/', { message: 'must be an ARM resource id (/subscriptions/...)' })
      .max(2000)
      .optional(),
    type: resourceTypeSchema.optional(),
    scanId: z
      .string()
      .regex(/^[\w.:-]{1,100}$/, { message: 'must be a scan id from GET /api/scans' })
      .optional(),
    actor: z
      .string()
      .trim()
      .min(1, { message: 'must name who made the change (a UPN, display name or application id)' })
      .max(256)
      .optional(),
    limit: pageLimitSchema.optional(),
    continuationToken: continuationTokenSchema.optional(),
  })
  .strict()
  .refine((q) => !q.since || !q.until || q.since <= q.until, { message: 'since must not be after until' });

/** `GET /api/changes`: the change history, newest first, paged. */
export class ChangesApi {
  constructor(
    private readonly log: ChangeLog,
    private readonly cache: ReadCache,
  ) {}

  async list(rawQuery: Record<string, string>): Promise<ChangePage> {
    const q = parseOrThrow(changesQuerySchema, rawQuery, 'query');
    return this.cache.cached(RESOURCES_CACHE_NAMESPACE, { op: 'changes', ...q }, () =>
      this.log.query({ ...q, limit: q.limit ?? 100 }),
    );
  }
}
