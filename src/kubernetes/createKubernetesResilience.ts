import { connectCoordinationRedis, fallbackShare } from '../cache/coordinationRedis';
import type { RedisTokenAuthOptions } from '../cache/redisTokenAuth';
import {
  createCircuitBreaker,
  createMemoryBreakerStore,
  createPolicyStack,
  createRateBudget,
  createRedisBreakerStore,
  createRetryPolicy,
  perScope,
  type PolicyStack,
  type RetryOptions,
} from '../resilience';
import type { Logger } from '../telemetry/logger';

/**
 * Each cluster's API server has its own budget: AKS's API server priority and fairness gives
 * list requests of one identity a share of a few dozen concurrent seats, so TopDeck keeps to a
 * bucket of 50 that refills 20 calls a second per cluster, shared by every worker through Redis.
 */
export const KUBERNETES_CLUSTER_BUCKET = { capacity: 50, refillPerSecond: 20 };

export interface KubernetesResilienceOptions {
  redisUrl?: string;
  redisTokenAuth?: Pick<RedisTokenAuthOptions, 'credential' | 'scope'>;
  logger: Logger;
  retry?: RetryOptions;
  bucket?: { capacity: number; refillPerSecond: number };
}

export interface KubernetesResilience {
  /** retry → the cluster's breaker → the cluster's budget, one stack per cluster ARM id. */
  stackFor(clusterId: string): PolicyStack;
  close(): Promise<void>;
}

/** The platform's policies for Kubernetes API calls (the Kubernetes client does not retry). */
export function createKubernetesResilience(options: KubernetesResilienceOptions): KubernetesResilience {
  const { logger } = options;
  const { redis, close } = connectCoordinationRedis(options.redisUrl, options.redisTokenAuth);
  const store = redis ? createRedisBreakerStore(redis) : createMemoryBreakerStore();
  const retry = createRetryPolicy({ attempts: 3, initialDelayMs: 500, maxDelayMs: 10_000, ...options.retry });
  retry.onRetry((e) =>
    logger.info('Kubernetes call retried', {
      attempt: e.attempt,
      delayMs: e.delayMs,
      errorCode: e.error.code,
      statusCode: e.error.statusCode,
    }),
  );
  const stackFor = perScope((clusterId) => {
    const breaker = createCircuitBreaker({ name: `kubernetes:${clusterId.toLowerCase()}`, store });
    breaker.onBreak((e) =>
      logger.warn('Kubernetes API circuit opened', {
        dependency: e.name,
        failures: e.failures,
        retryAt: new Date(e.openedUntil).toISOString(),
      }),
    );
    const budget = createRateBudget({
      service: 'kubernetes',
      scope: clusterId.toLowerCase(),
      ...(options.bucket ?? KUBERNETES_CLUSTER_BUCKET),
      redis,
      fallbackShare: fallbackShare(),
      maxWaitMs: 60_000,
    });
    return createPolicyStack({ retry, breaker, budget });
  });
  return { stackFor: (clusterId) => stackFor(clusterId.toLowerCase()), close: async () => close() };
}
