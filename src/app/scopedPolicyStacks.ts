import type Redis from 'ioredis';
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
  type RateBudget,
  type RateBudgetOptions,
  type RetryOptions,
} from '../resilience';
import type { Logger } from '../telemetry/logger';

/** The budget's size and waits for one scope: a bucket, or "at most `points` per `durationMs`". */
export type ScopeBudget = Pick<
  RateBudgetOptions,
  'capacity' | 'refillPerSecond' | 'points' | 'durationMs' | 'maxWaitMs' | 'redisTimeoutMs'
>;

export interface ScopedPolicyStacksOptions {
  /** The API, as budget keys name it: "devops", "kubernetes". */
  service: string;
  /** The breaker's name for a scope ("devops:contoso"), as its logs and Redis key show it. */
  breakerName(scope: string): string;
  budget: ScopeBudget;
  /** Retry attempts and delays: the service's defaults with the caller's overrides applied. */
  retry: RetryOptions;
  /** Log messages for a retried call and an opened circuit. */
  messages: { retried: string; circuitOpened: string };
  redisUrl?: string;
  redisTokenAuth?: Pick<RedisTokenAuthOptions, 'credential' | 'scope'>;
  logger: Logger;
}

export interface ScopedPolicy {
  stack: PolicyStack;
  budget: RateBudget;
}

export interface ScopedPolicyStacks {
  /** retry → the scope's breaker → the scope's budget; one per scope (lower-cased), made on first use. */
  policyFor(scope: string): ScopedPolicy;
  /** Undefined without REDIS_URL: budgets and breakers then decide in this process. */
  redis: Redis | undefined;
  close(): Promise<void>;
}

/**
 * The policies for a client that does not retry itself (Azure DevOps REST, the Kubernetes
 * client): one retry policy, and per scope (organisation, cluster) a circuit breaker and a rate
 * budget, every attempt spending a token. Redis makes the budget and the breaker hold across
 * instances; without it, or while it is down, they decide on this process's share.
 */
export function createScopedPolicyStacks(options: ScopedPolicyStacksOptions): ScopedPolicyStacks {
  const { logger, messages } = options;
  const { redis, close } = connectCoordinationRedis(options.redisUrl, options.redisTokenAuth);
  const store = redis ? createRedisBreakerStore(redis) : createMemoryBreakerStore();
  const retry = createRetryPolicy(options.retry);
  retry.onRetry((e) =>
    logger.info(messages.retried, {
      attempt: e.attempt,
      delayMs: e.delayMs,
      errorCode: e.error.code,
      statusCode: e.error.statusCode,
    }),
  );
  const policyFor = perScope((scope): ScopedPolicy => {
    const breaker = createCircuitBreaker({ name: options.breakerName(scope), store });
    breaker.onBreak((e) =>
      logger.warn(messages.circuitOpened, {
        dependency: e.name,
        failures: e.failures,
        retryAt: new Date(e.openedUntil).toISOString(),
      }),
    );
    const budget = createRateBudget({
      service: options.service,
      scope: scope.toLowerCase(),
      ...options.budget,
      redis,
      fallbackShare: fallbackShare(),
    });
    return { stack: createPolicyStack({ retry, breaker, budget }), budget };
  });
  return { policyFor: (scope) => policyFor(scope.toLowerCase()), redis, close: async () => close() };
}
