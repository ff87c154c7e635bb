import type { AdditionalPolicyConfig } from '@azure/core-client';
import Redis from 'ioredis';
import { parseRedisUrl } from '../cache/parseRedisUrl';
import { redisTokenAuth, type RedisTokenAuthOptions } from '../cache/redisTokenAuth';
import {
  createArmPipelinePolicy,
  createCircuitBreaker,
  createMemoryBreakerStore,
  createRateBudget,
  createRedisBreakerStore,
  perScope,
  type ArmPipelinePolicy,
} from '../resilience';
import type { Logger } from '../telemetry/logger';

/**
 * Resource Manager reads, per subscription, as Azure meters them: a bucket of 250 that
 * refills 25 a second (per principal). Shared by every worker through Redis.
 */
export const ARM_READ_BUCKET = { capacity: 250, refillPerSecond: 25 };

/**
 * Each process's share of the budget when Redis cannot be reached: the whole budget on a
 * laptop (one process); a quarter on Azure, where several instances scan at once.
 */
function fallbackShare(): number {
  return process.env.WEBSITE_INSTANCE_ID ? 0.25 : 1;
}

export interface ArmResilience {
  policies: AdditionalPolicyConfig[];
  policy: ArmPipelinePolicy;
  close(): Promise<void>;
}

/**
 * The shared budget and circuit breaker for every Resource Manager call, attached to the SDK
 * pipeline per attempt (each page, each SDK retry), so no call site wraps anything and no call
 * is retried by two layers. Redis (when REDIS_URL is set) makes both hold across instances;
 * without it, or while it is down, they fall back to this process.
 */
export function createArmResilience(
  redisUrl: string | undefined,
  logger: Logger,
  tokenAuth?: Pick<RedisTokenAuthOptions, 'credential' | 'scope'>,
): ArmResilience {
  const redis = redisUrl
    ? new Redis(redisUrl, {
        // With Entra tokens the connection waits for the first token (below).
        lazyConnect: tokenAuth !== undefined,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 500,
        retryStrategy: (times) => Math.min(50 * 2 ** times, 1000),
      })
    : undefined;
  redis?.on('error', () => undefined);
  const username = redisUrl && tokenAuth ? parseRedisUrl(redisUrl).username : undefined;
  const tokenSession =
    redis && tokenAuth
      ? redisTokenAuth(redis, {
          ...tokenAuth,
          ...(username !== undefined ? { username } : {}),
          // Until a token arrives the budget and breaker run per process, as when Redis is down.
          onError: () => undefined,
        })
      : undefined;
  void tokenSession?.ready.then(() => redis?.connect().catch(() => undefined));
  const store = redis ? createRedisBreakerStore(redis) : createMemoryBreakerStore();
  const budgetFor = perScope((scope) =>
    createRateBudget({
      service: 'arm',
      scope,
      ...ARM_READ_BUCKET,
      redis,
      fallbackShare: fallbackShare(),
      maxWaitMs: 60_000,
    }),
  );
  const breakerFor = perScope((scope) => {
    const breaker = createCircuitBreaker({ name: `arm:${scope}`, store });
    breaker.onBreak((e) =>
      logger.warn('Resource Manager circuit opened', {
        dependency: e.name,
        failures: e.failures,
        retryAt: new Date(e.openedUntil).toISOString(),
      }),
    );
    breaker.onReset((e) => logger.info('Resource Manager circuit closed', { dependency: e.name }));
    return breaker;
  });
  const policy = createArmPipelinePolicy({ budgetFor, breakerFor });
  return {
    policy,
    policies: [{ policy, position: 'perRetry' }],
    close: async () => {
      tokenSession?.stop();
      redis?.disconnect();
    },
  };
}
