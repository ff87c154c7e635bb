import { createLogger, type Logger } from '../telemetry/logger';
import { NoopCache } from './NoopCache';
import { parseRedisUrl } from './parseRedisUrl';
import { RedisCache } from './RedisCache';
import type { RedisTokenAuthOptions } from './redisTokenAuth';
import { assertValidTtl } from './resolveTtl';

export { cacheKey } from './cacheKey';
export { parseRedisUrl } from './parseRedisUrl';
export { UNKNOWN_VERSION } from './namespaceVersion';

/*
 * Redis key scheme (the one place it is written down):
 *   <prefix><key>                          get / set / delete; clear(pattern) matches <prefix><pattern>
 *   <prefix><namespace>:v<version>:<args>  cached(); <args> = cacheKey's part (sorted JSON, or #sha256 when long)
 *   <prefix><namespace>:version            the namespace's version: the Redis server clock in microseconds at
 *                                          creation or last bump, never reused (see namespaceVersion.ts); no TTL
 *   <prefix><key>:gz                       a large value (JSON over 64 KiB): its gzipped JSON, with the entry's TTL
 *                                          plus a second; <prefix><key> then holds a short marker naming
 *                                          its size, which no JSON text matches (see largeValue.ts)
 * Values are JSON strings. Entries carry a TTL unless written with ttl null, so with
 * Azure's default eviction policy (volatile-lru) only entries are evicted, never versions.
 */

export interface CacheOptions {
  /** redis:// or rediss:// (TLS, SNI from the host). Absent or blank: a no-op cache (every get misses, sets do nothing). */
  url?: string;
  /** Put in front of every key this cache reads or writes. Default 'topdeck:'. */
  prefix?: string;
  /**
   * Expiry of entries written without an explicit ttl, in seconds. Default 3600.
   * Must be positive; `null` = no expiry. 0 is rejected (it is neither "default" nor "forever").
   */
  defaultTtlSeconds?: number | null;
  /** Longest wait for a TCP (and TLS) connection, in milliseconds. Default 200. */
  connectTimeoutMs?: number;
  /**
   * Longest wait for one command's reply, in milliseconds. Default 50. A large value's
   * compressed bytes get this plus 1 ms per 2 KB (see largeValue.ts); they are only asked for
   * after Redis has just answered the marker's read within this timeout.
   */
  commandTimeoutMs?: number;
  logger?: Logger;
  /**
   * Sign in with Microsoft Entra tokens from this credential (REDIS_CREDENTIAL=managedidentity)
   * instead of a password; the user name comes from the url, else from the token's oid claim.
   */
  tokenAuth?: Pick<RedisTokenAuthOptions, 'credential' | 'scope'>;
}

/** Defaults of CacheOptions, in one place. */
export const DEFAULT_CACHE_OPTIONS = {
  prefix: 'topdeck:',
  defaultTtlSeconds: 3600,
  connectTimeoutMs: 200,
  commandTimeoutMs: 50,
} as const;

/** CacheOptions with the defaults applied and checked. */
export interface ResolvedCacheOptions {
  prefix: string;
  defaultTtlSeconds: number | null;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  logger: Logger;
}

export type CacheRead<T> = { hit: true; value: T } | { hit: false };

export interface CacheServerStats {
  /** Keys in the selected database (DBSIZE), whatever their prefix. */
  keys?: number;
  usedMemoryBytes?: number;
  /** Server-wide counters since the server started (INFO stats), all clients. */
  keyspaceHits?: number;
  keyspaceMisses?: number;
}

export interface CacheStats {
  /** Lookups (get, cached) answered from Redis, by this Cache object. */
  hits: number;
  /** Lookups not answered from Redis: absent, unreadable, or Redis unavailable. */
  misses: number;
  /** Failed Redis operations of get/set/delete/clear/cached/version/bumpVersion (ping and stats are not counted). */
  errors: number;
  /** Absent when Redis does not answer (or there is no Redis). */
  server?: CacheServerStats;
}

/**
 * A best-effort Redis cache. Values are stored as JSON, so they must be
 * JSON-compatible (a Date comes back as its ISO string). Redis failures never reach
 * the caller: they cost at most about commandTimeoutMs, are counted and logged once
 * per outage, and read as misses. Programming errors (an invalid ttl, a value or
 * args JSON cannot represent, an empty key) do throw.
 */
export interface Cache {
  /** False for the no-op cache (no url). */
  readonly enabled: boolean;
  /** A cached null is a hit whose value is null. */
  get<T>(key: string): Promise<CacheRead<T>>;
  /** ttlSeconds: undefined = the default TTL, null = no expiry, else > 0 (fractions allowed). */
  set<T>(key: string, value: T, ttlSeconds?: number | null): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Removes the keys matching `pattern` (a Redis glob, applied after the prefix)
   * with SCAN + UNLINK in batches, never KEYS; returns how many were removed (so
   * far, when Redis fails part-way). Prefer bumpVersion for invalidation.
   */
  clear(pattern: string): Promise<number>;
  /**
   * Read-through: the entry under `cacheKey(namespace, args)` at the namespace's
   * current version, else compute() (also on any Redis failure), stored with
   * ttlSeconds and returned. An undefined result is returned but not stored; a
   * compute() failure propagates and nothing is stored.
   */
  cached<T>(
    namespace: string,
    args: unknown,
    compute: () => Promise<T>,
    ttlSeconds?: number | null,
  ): Promise<T>;
  /** The namespace's current version (created on first use), or UNKNOWN_VERSION when Redis cannot tell. */
  version(namespace: string): Promise<number>;
  /**
   * Makes every entry cached under the namespace unreachable; returns the new
   * version. When Redis cannot be reached it returns UNKNOWN_VERSION, keeps the
   * bump pending (this process skips the namespace's cache meanwhile) and applies
   * it as soon as Redis answers again.
   */
  bumpVersion(namespace: string): Promise<number>;
  stats(): Promise<CacheStats>;
  /** True when Redis answers PING within commandTimeoutMs. */
  ping(): Promise<boolean>;
  /** Closes the connection; later calls behave as the no-op cache. Idempotent. */
  close(): Promise<void>;
}

/**
 * Builds the cache for `options.url`. Never connects synchronously and never
 * throws because Redis is down; it does throw (naming REDIS_URL) for a malformed
 * url and for invalid options, which are configuration mistakes to fix at start.
 */
export function createCache(options: CacheOptions = {}): Cache {
  const resolved = resolveCacheOptions(options);
  const url = options.url?.trim();
  if (url === undefined || url === '') return new NoopCache(resolved);
  return new RedisCache(parseRedisUrl(url), resolved, options.tokenAuth);
}

export function resolveCacheOptions(options: CacheOptions): ResolvedCacheOptions {
  const resolved: ResolvedCacheOptions = {
    prefix: options.prefix ?? DEFAULT_CACHE_OPTIONS.prefix,
    defaultTtlSeconds:
      options.defaultTtlSeconds === undefined
        ? DEFAULT_CACHE_OPTIONS.defaultTtlSeconds
        : options.defaultTtlSeconds,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CACHE_OPTIONS.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_CACHE_OPTIONS.commandTimeoutMs,
    logger: options.logger ?? createLogger('cache'),
  };
  if (typeof resolved.prefix !== 'string') throw new TypeError('cache: prefix must be a string');
  if (resolved.defaultTtlSeconds !== null) assertValidTtl(resolved.defaultTtlSeconds, 'defaultTtlSeconds');
  for (const name of ['connectTimeoutMs', 'commandTimeoutMs'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new TypeError(`cache: ${name} must be a positive number of milliseconds (got ${String(value)})`);
    }
  }
  return resolved;
}
