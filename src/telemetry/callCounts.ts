import { AsyncLocalStorage } from 'node:async_hooks';
import type { AdditionalPolicyConfig } from '@azure/core-client';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * Resource Manager calls made by one handler invocation (one page, one scan start), for its
 * operation metrics. Process-wide totals (ArmClients.stats) cannot tell concurrent pages apart;
 * a scope per invocation, carried by AsyncLocalStorage into the SDK pipeline, can.
 */
export interface CallCounts {
  /** HTTP attempts sent, retries included. */
  apiCalls: number;
  /** Attempts answered 429. */
  throttled: number;
  /** Attempts answered 5xx. */
  serverErrors: number;
  /** Attempts beyond the first of each call: the SDK's own retries. */
  retries: number;
}

interface Scope {
  calls: number;
  attempts: number;
  throttled: number;
  serverErrors: number;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Runs `fn` in a fresh counting scope (an inner scope does not add to an outer one). */
export function countingCalls<T>(fn: () => T): T {
  return scopes.run({ calls: 0, attempts: 0, throttled: 0, serverErrors: 0 }, fn);
}

/** Counts so far in the current scope; undefined outside one. */
export function currentCallCounts(): CallCounts | undefined {
  const s = scopes.getStore();
  if (!s) return undefined;
  return {
    apiCalls: s.attempts,
    throttled: s.throttled,
    serverErrors: s.serverErrors,
    retries: Math.max(0, s.attempts - s.calls),
  };
}

/**
 * Counts one attempt of a call made without an SDK pipeline (the Azure DevOps REST client):
 * `attempt` is 1-based, `status` the HTTP status (0 when no answer came).
 */
export function countAttempt(attempt: number, status: number): void {
  const s = scopes.getStore();
  if (!s) return;
  if (attempt === 1) s.calls++;
  s.attempts++;
  if (status === 429) s.throttled++;
  else if (status >= 500) s.serverErrors++;
}

/**
 * Two pipeline policies for SDK clients: one before the retry policy (a logical call), one after
 * it (each attempt, with its status). Outside a counting scope they only pass the request on.
 */
export function callCountingPolicies(): AdditionalPolicyConfig[] {
  const perCall: PipelinePolicy = {
    name: 'topdeckOperationCallCounter',
    sendRequest(request, next) {
      const s = scopes.getStore();
      if (s) s.calls++;
      return next(request);
    },
  };
  const perAttempt: PipelinePolicy = {
    name: 'topdeckOperationAttemptCounter',
    async sendRequest(request, next) {
      const s = scopes.getStore();
      if (s) s.attempts++;
      const response = await next(request);
      if (s && response.status === 429) s.throttled++;
      else if (s && response.status >= 500) s.serverErrors++;
      return response;
    },
  };
  return [
    { policy: perCall, position: 'perCall' },
    { policy: perAttempt, position: 'perRetry' },
  ];
}
