export { createArmPipelinePolicy, subscriptionIdOf, armPipelinePolicyName } from './armPipelinePolicy';
export type {
  ArmCallEvent,
  ArmPipelinePolicy,
  ArmPipelinePolicyOptions,
  ArmPolicyStats,
} from './armPipelinePolicy';
export { backoffDelay } from './backoffDelay';
export type { BackoffOptions, Jitter } from './backoffDelay';
export type { BreakerSnapshot, BreakerStateStore } from './BreakerStateStore';
export { createCircuitBreaker, circuitBreakerDefaults, isDependencyFailure, stateOf } from './circuitBreaker';
export type { BreakEvent, BreakerState, CircuitBreaker, CircuitBreakerOptions } from './circuitBreaker';
export { configurationError } from './configurationError';
export { ErrorTracker, errorTypeOf } from './ErrorTracker';
export type { ErrorGroup, ErrorSummary, ErrorTrackerOptions, TrackedError } from './ErrorTracker';
export type { Event } from './events';
export { createGuardedRedis, guardedRedisDefaults } from './guardedRedis';
export type { GuardedRedis, GuardedRedisOptions, RedisOutcome } from './guardedRedis';
export { createMemoryBreakerStore } from './memoryBreakerStore';
export { parallelMap, parallelMapDefaults } from './parallelMap';
export type {
  ParallelMapFailure,
  ParallelMapOptions,
  ParallelMapResult,
  ParallelMapTaskContext,
} from './parallelMap';
export { perScope } from './perScope';
export { createPolicyStack } from './policyStack';
export type { PolicyStack, PolicyStackOptions } from './policyStack';
export { createRateBudget, rateBudgetDefaults } from './rateBudget';
export type { RateBudget, RateBudgetOptions, RateBudgetStats } from './rateBudget';
export { createRedisBreakerStore } from './redisBreakerStore';
export type { RedisBreakerStore, RedisBreakerStoreOptions } from './redisBreakerStore';
export { createRetryPolicy, retryDecision, retryDefaults } from './retry';
export type {
  GiveUpEvent,
  RetryContext,
  RetryDecision,
  RetryEvent,
  RetryOptions,
  RetryPolicy,
} from './retry';
