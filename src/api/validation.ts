import { z } from 'zod';
import { ARM_TYPE, canonicalType } from '../discovery/registry';
import { validationError } from '../errors/TopDeckError';

const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const subscriptionIdSchema = z
  .string()
  .regex(GUID, { message: 'must be a subscription id (a GUID such as 00000000-0000-0000-0000-000000000000)' })
  .transform((s) => s.toLowerCase());

/** Resource group names: 1-90 characters of letters, digits, `._-()` not ending in a period. */
export const resourceGroupSchema = z
  .string()
  .regex(/^[-\w._()]{1,90}$/u, { message: 'must be a resource group name (1-90 letters, digits, . _ - ( ))' })
  .refine((s) => !s.endsWith('.'), { message: 'a resource group name cannot end with a period' });

/**
 * Any well-formed ARM type (`Namespace/type[/child]`): a type with a dedicated discoverer comes
 * back in its canonical spelling, any other is listed by the generic resources list. A type
 * nobody has is not an error: it simply has no resources.
 */
export const resourceTypeSchema = z
  .string()
  .max(200)
  .transform((t, ctx) => {
    const trimmed = t.trim();
    if (!ARM_TYPE.test(trimmed)) {
      ctx.addIssue({
        code: 'custom',
        message: `"${t.slice(0, 200)}" is not an ARM resource type (expected Namespace/type, e.g. Microsoft.Compute/virtualMachines)`,
      });
      return z.NEVER;
    }
    return canonicalType(trimmed);
  });

/** A whole number in a query string, from min to max (a depth, a page size). */
export function wholeNumberSchema(min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, { message: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { message: `must be from ${min} to ${max}` });
}

/** A page size: `limit` of every paged route, 1 to 1000. */
export const pageLimitSchema = wholeNumberSchema(1, 1000);

/**
 * Text to find in a name, id or type (`q`): trimmed, 2 to 200 characters (one character would
 * match nearly everything and answer nothing useful).
 */
export const searchTextSchema = z
  .string()
  .transform((s) => s.trim())
  .refine((s) => s.length >= 2 && s.length <= 200, {
    message: 'must be 2 to 200 characters of a name, id or type to look for',
  })
  .describe(
    'Text found in the name, id or type (case-insensitive); answers the best matches (exact name, name start, name, id, type), up to limit (default 20), in one page',
  );

/** The `continuationToken` of the previous page, passed back as it came. */
export const continuationTokenSchema = z.string().max(4000);

export const startScanBodySchema = z
  .object({
    subscriptionIds: z.array(subscriptionIdSchema).max(1000).optional(),
    resourceTypes: z.array(resourceTypeSchema).max(200).optional(),
    resourceGroup: resourceGroupSchema.optional(),
  })
  .strict();

/** Parses with a schema, or throws a 400 whose message lists every problem by field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    return `${i.path.length ? i.path.join('.') : what}: ${i.message}`;
  });
  throw validationError(`invalid ${what}: ${problems.join('; ')}`);
}
