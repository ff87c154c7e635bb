import type { CircuitBreaker } from './circuitBreaker';
import type { RateBudget } from './rateBudget';
import { createRetryPolicy, type RetryContext, type RetryPolicy } from './retry';

export interface PolicyStackOptions {
  /** Omit for calls whose client retries already (the Azure SDK): one retry layer per call. */
  retry?: RetryPolicy;
  breaker?: CircuitBreaker;
  budget?: RateBudget;
  /** Tokens each attempt takes from the budget. */
  cost?: number;
}

export interface PolicyStack {
  execute<T>(fn: (context: RetryContext) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/**
 * The order every outbound call goes through, for clients that do not retry themselves
 * (Azure DevOps REST): retry → breaker → budget → call. The breaker comes before the budget so an
 * open circuit fails fast without spending a token; every attempt, retries included, takes its
 * token. Errors from the budget or the breaker itself are not counted as dependency failures.
 */
export function createPolicyStack(options: PolicyStackOptions): PolicyStack {
  const retry = options.retry ?? createRetryPolicy({ attempts: 1 });
  const { breaker, budget } = options;
  const cost = options.cost ?? 1;
  return {
    execute<T>(fn: (context: RetryContext) => Promise<T>, signal?: AbortSignal): Promise<T> {
      return retry.execute((context) => {
        const attempt = async (): Promise<T> => {
          if (budget) await budget.take(cost, context.signal);
          return fn(context);
        };
        return breaker ? breaker.execute(attempt) : attempt();
      }, signal);
    },
  };
}
