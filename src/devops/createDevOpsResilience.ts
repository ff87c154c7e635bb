import type { RedisTokenAuthOptions } from '../cache/redisTokenAuth';
import { createScopedPolicyStacks } from '../app/scopedPolicyStacks';
import type { PolicyStack, RateBudget, RetryOptions } from '../resilience';
import type { Logger } from '../telemetry/logger';

export interface DevOpsResilienceOptions {
  organization: string;
  /** Calls per minute for the whole organisation (Azure DevOps meters per identity). */
  callsPerMinute: number;
  /** Length of the budget's window, in milliseconds (60 000; shorter in tests). */
  windowMs?: number;
  redisUrl?: string;
  /** Entra ID for Redis (REDIS_CREDENTIAL), as the Resource Manager budget uses it. */
  redisTokenAuth?: Pick<RedisTokenAuthOptions, 'credential' | 'scope'>;
  logger: Logger;
  retry?: RetryOptions;
  /** Longest one call may wait for its budget slot, in milliseconds. */
  maxWaitMs?: number;
  /** Bound on each budget operation in Redis before the in-process share decides, in milliseconds. */
  redisTimeoutMs?: number;
}

export interface DevOpsResilience {
  stack: PolicyStack;
  budget: RateBudget;
  /**
   * Resolves once Redis answers (or at once without Redis, or after timeoutMs): until then the
   * budget decides in-process, on this instance's share.
   */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The platform's policies for Azure DevOps calls (no SDK retries them): retry (transient errors,
 * Retry-After honoured) → the organisation's circuit breaker → its shared budget, every attempt
 * spending a token. Redis makes the budget and the breaker hold across instances.
 */
export function createDevOpsResilience(options: DevOpsResilienceOptions): DevOpsResilience {
  const { organization } = options;
  const stacks = createScopedPolicyStacks({
    service: 'devops',
    breakerName: () => `devops:${organization}`,
    budget: {
      // 10 % headroom: a call granted here reaches the service a network hop later, so two calls
      // granted just over a window apart can arrive just inside one.
      points: Math.max(2, Math.floor(options.callsPerMinute * 0.9)),
      durationMs: options.windowMs ?? 60_000,
      maxWaitMs: options.maxWaitMs ?? 120_000,
      redisTimeoutMs: options.redisTimeoutMs,
    },
    retry: { attempts: 4, initialDelayMs: 500, maxDelayMs: 30_000, ...options.retry },
    messages: { retried: 'Azure DevOps call retried', circuitOpened: 'Azure DevOps circuit opened' },
    redisUrl: options.redisUrl,
    ...(options.redisTokenAuth ? { redisTokenAuth: options.redisTokenAuth } : {}),
    logger: options.logger,
  });
  const { redis } = stacks;
  const { stack, budget } = stacks.policyFor(organization);
  return {
    stack,
    budget,
    ready: async (timeoutMs = 2000) => {
      const deadline = Date.now() + timeoutMs;
      while (redis && redis.status !== 'ready' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    },
    close: () => stacks.close(),
  };
}
