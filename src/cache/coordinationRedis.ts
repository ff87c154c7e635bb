import Redis from 'ioredis';
import { parseRedisUrl } from './parseRedisUrl';
import { redisTokenAuth, type RedisTokenAuthOptions } from './redisTokenAuth';

export interface CoordinationRedis {
  /** Undefined without REDIS_URL: the budget and breaker then decide in this process. */
  redis: Redis | undefined;
  close(): void;
}

/**
 * The Redis connection a shared budget and circuit breaker use (Resource Manager's, Azure
 * DevOps'): no offline queue and one attempt per command, so a Redis outage costs a call nothing
 * but the fall-back to this process's share; with Entra ID (REDIS_CREDENTIAL) it connects once
 * the first token is there and re-authenticates before each expires.
 */
export function connectCoordinationRedis(
  redisUrl: string | undefined,
  tokenAuth?: Pick<RedisTokenAuthOptions, 'credential' | 'scope'>,
): CoordinationRedis {
  if (!redisUrl) return { redis: undefined, close: () => undefined };
  const redis = new Redis(redisUrl, {
    // With Entra tokens the connection waits for the first token (below).
    lazyConnect: tokenAuth !== undefined,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 500,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 1000),
  });
  redis.on('error', () => undefined);
  const username = tokenAuth ? parseRedisUrl(redisUrl).username : undefined;
  const session = tokenAuth
    ? redisTokenAuth(redis, {
        ...tokenAuth,
        ...(username !== undefined ? { username } : {}),
        // Until a token arrives the budget and breaker run per process, as when Redis is down.
        onError: () => undefined,
      })
    : undefined;
  void session?.ready.then(() => redis.connect().catch(() => undefined));
  return {
    redis,
    close: () => {
      session?.stop();
      redis.disconnect();
    },
  };
}

/**
 * Each process's share of a budget when Redis cannot be reached: the whole budget on a laptop
 * (one process); a quarter on Azure, where several instances scan at once.
 */
export function fallbackShare(): number {
  return process.env.WEBSITE_INSTANCE_ID ? 0.25 : 1;
}
