import { TopDeckError } from '../errors/TopDeckError';

/**
 * A caller's `ttlSeconds` as what Redis is sent: milliseconds for `SET ... PX`, or
 * null for no expiry.
 *
 * - `undefined` → the cache's default TTL;
 * - `null` → no expiry (the only way to ask for it);
 * - a positive finite number of seconds (fractions allowed, rounded up to 1 ms);
 * - anything else, 0 included, is a programming error and throws: 0 means neither
 *   "default" nor "forever" here.
 */
export function resolveTtlMs(
  ttlSeconds: number | null | undefined,
  defaultTtlSeconds: number | null,
): number | null {
  const ttl = ttlSeconds === undefined ? defaultTtlSeconds : ttlSeconds;
  if (ttl === null) return null;
  assertValidTtl(ttl, 'ttlSeconds');
  return Math.max(1, Math.ceil(ttl * 1000));
}

export function assertValidTtl(ttl: unknown, name: string): asserts ttl is number {
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0) {
    throw new TopDeckError({
      code: 'InvalidArgument',
      message: `${name} must be a positive number of seconds, or null for no expiry (got ${String(ttl)}; 0 means neither "default" nor "forever")`,
      transient: false,
    });
  }
}
