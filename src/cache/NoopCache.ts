import type { Cache, CacheRead, CacheStats, ResolvedCacheOptions } from './Cache';
import { argsKeyPart, assertKey, assertNamespace } from './cacheKey';
import { serializeCacheValue } from './cacheValue';
import { UNKNOWN_VERSION } from './namespaceVersion';
import { resolveTtlMs } from './resolveTtl';

/**
 * The cache when no REDIS_URL is set: every lookup misses, writes do nothing.
 * Arguments are still checked exactly as the Redis cache checks them, so a mistake
 * shows up in tests that run without Redis too.
 */
export class NoopCache implements Cache {
  readonly enabled = false;
  private misses = 0;

  constructor(private readonly options: Pick<ResolvedCacheOptions, 'defaultTtlSeconds'>) {}

  async get<T>(key: string): Promise<CacheRead<T>> {
    assertKey(key);
    this.misses++;
    return { hit: false };
  }

  async set<T>(key: string, value: T, ttlSeconds?: number | null): Promise<void> {
    assertKey(key);
    resolveTtlMs(ttlSeconds, this.options.defaultTtlSeconds);
    serializeCacheValue(value);
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
  }

  async clear(pattern: string): Promise<number> {
    assertKey(pattern);
    return 0;
  }

  async cached<T>(
    namespace: string,
    args: unknown,
    compute: () => Promise<T>,
    ttlSeconds?: number | null,
  ): Promise<T> {
    assertNamespace(namespace);
    resolveTtlMs(ttlSeconds, this.options.defaultTtlSeconds);
    argsKeyPart(args);
    this.misses++;
    return compute();
  }

  async version(namespace: string): Promise<number> {
    assertNamespace(namespace);
    return UNKNOWN_VERSION;
  }

  async bumpVersion(namespace: string): Promise<number> {
    assertNamespace(namespace);
    return UNKNOWN_VERSION;
  }

  async stats(): Promise<CacheStats> {
    return { hits: 0, misses: this.misses, errors: 0 };
  }

  async ping(): Promise<boolean> {
    return false;
  }

  async close(): Promise<void> {}
}
