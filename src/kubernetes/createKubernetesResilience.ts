import type { RedisTokenAuthOptions } from '../cache/redisTokenAuth';
import { createScopedPolicyStacks } from '../app/scopedPolicyStacks';
import type { PolicyStack, RetryOptions } from '../resilience';
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
  const stacks = createScopedPolicyStacks({
    service: 'kubernetes',
    breakerName: (clusterId) => `kubernetes:${clusterId}`,
    budget: { ...(options.bucket ?? KUBERNETES_CLUSTER_BUCKET), maxWaitMs: 60_000 },
    retry: { attempts: 3, initialDelayMs: 500, maxDelayMs: 10_000, ...options.retry },
    messages: { retried: 'Kubernetes call retried', circuitOpened: 'Kubernetes API circuit opened' },
    redisUrl: options.redisUrl,
    ...(options.redisTokenAuth ? { redisTokenAuth: options.redisTokenAuth } : {}),
    logger: options.logger,
  });
  return { stackFor: (clusterId) => stacks.policyFor(clusterId).stack, close: () => stacks.close() };
}
