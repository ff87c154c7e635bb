import type { AdditionalPolicyConfig } from '@azure/core-client';
import { connectCoordinationRedis, fallbackShare } from '../cache/coordinationRedis';
import type { RedisTokenAuthOptions } from '../cache/redisTokenAuth';
import {
  createArmPipelinePolicy,
  createCircuitBreaker,
  createMemoryBreakerStore,
  createRateBudget,
  createRedisBreakerStore,
  perScope,
  type ArmPipelinePolicy,
} from '../resilience';
import { RESOURCE_GRAPH_BUCKET, RESOURCE_GRAPH_SCOPE } from '../resilience/resourceGraphQuota';
import type { Logger } from '../telemetry/logger';

/**
 * Resource Manager reads, per subscription, as Azure meters them: a bucket of 250 that
 * refills 25 a second (per principal). Shared by every worker through Redis.
 */
export const ARM_READ_BUCKET = { capacity: 250, refillPerSecond: 25 };

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
  const { redis, close } = connectCoordinationRedis(redisUrl, tokenAuth);
  const store = redis ? createRedisBreakerStore(redis) : createMemoryBreakerStore();
  const budgetFor = perScope((scope) =>
    createRateBudget({
      service: 'arm',
      scope,
      ...(scope === RESOURCE_GRAPH_SCOPE ? RESOURCE_GRAPH_BUCKET : ARM_READ_BUCKET),
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
    close: async () => close(),
  };
}
