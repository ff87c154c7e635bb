import type {
  PipelinePolicy,
  PipelineRequest,
  PipelineResponse,
  SendRequest,
} from '@azure/core-rest-pipeline';
import { isTransientStatus, parseRetryAfterMs } from '../errors/classifyError';
import type { CircuitBreaker } from './circuitBreaker';
import type { RateBudget } from './rateBudget';
import {
  RESOURCE_GRAPH_SCOPE,
  isResourceGraphUrl,
  parseQuotaRemaining,
  parseQuotaResetMs,
} from './resourceGraphQuota';

/** One HTTP attempt through the pipeline: what telemetry counts (API calls, 429s, retries). */
export interface ArmCallEvent {
  /** Lower-cased subscription id from the URL; undefined for tenant-level calls (scope "global"). */
  subscriptionId: string | undefined;
  scope: string;
  method: string;
  /** HTTP status; undefined when no response came back (connection reset, timeout). */
  status: number | undefined;
  /** Time spent in the rest of the pipeline (the wire), budget wait excluded, in milliseconds. */
  durationMs: number;
  /** The server answered 429. */
  throttled: boolean;
  /** 1 for the first try of this request; > 1 when the SDK's retry policy re-sent it. */
  attempt: number;
  retry: boolean;
  requestId: string;
  error?: unknown;
}

export interface ArmPipelinePolicyOptions {
  /** The budget of a scope (a lower-cased subscription id, or "global"); called per attempt, so memoize it. */
  budgetFor(scope: string): RateBudget;
  breakerFor(scope: string): CircuitBreaker;
  onCall?(event: ArmCallEvent): void;
  /** Pause applied to the budget after a 429 that carries no Retry-After, in milliseconds. */
  throttlePauseMs?: number;
}

export interface ArmPolicyStats {
  /** HTTP attempts sent. */
  apiCalls: number;
  /** Attempts answered 429. */
  throttled: number;
  /** Attempts that were SDK retries (attempt > 1). */
  retries: number;
  /** Attempts refused by an open circuit before reaching the network. */
  shortCircuited: number;
}

export interface ArmPipelinePolicy extends PipelinePolicy {
  stats(): ArmPolicyStats;
}

export const armPipelinePolicyName = 'topdeckArmBudgetPolicy';

const REMAINING_READS_HEADERS = [
  'x-ms-ratelimit-remaining-subscription-reads',
  'x-ms-ratelimit-remaining-subscription-global-reads',
];

/** `/subscriptions/{id}` from the path (not the query string), lower-cased: ARM ids come back in any casing. */
export function subscriptionIdOf(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const m = /\/subscriptions\/([^/]+)/i.exec(path);
  if (!m?.[1]) return undefined;
  try {
    return decodeURIComponent(m[1]).toLowerCase();
  } catch {
    return m[1].toLowerCase();
  }
}

/** Carries a failing response through the breaker (which only sees throws) and back out to the SDK. */
class FailedResponse extends Error {
  readonly statusCode: number;
  constructor(readonly response: PipelineResponse) {
    super(`HTTP ${response.status}`);
    this.statusCode = response.status;
  }
}

function remainingReads(response: PipelineResponse): number | undefined {
  let min: number | undefined;
  for (const name of REMAINING_READS_HEADERS) {
    const raw = response.headers.get(name);
    if (raw === undefined || raw.trim() === '') continue;
    const n = Number(raw);
    if (Number.isFinite(n)) min = min === undefined ? n : Math.min(min, n);
  }
  return min;
}

/**
 * An Azure SDK pipeline policy for the `perRetry` position: every HTTP attempt (each page, each
 * SDK retry) takes one token from its subscription's shared budget and goes through that
 * subscription's circuit breaker. It feeds `x-ms-ratelimit-remaining-subscription-reads` to the
 * budget, pauses the whole budget for a 429's Retry-After, and reports each attempt via onCall.
 *
 * It never retries: the SDK's own retry policy (which runs before perRetry policies) does, so a
 * call keeps one retry layer. Failing responses are returned to the SDK unchanged so that its
 * retry policy can act on them; an open circuit or an exhausted budget throws a TopDeckError,
 * which the SDK does not retry.
 *
 *   new ComputeManagementClient(credential, subscriptionId, {
 *     additionalPolicies: [{ policy: createArmPipelinePolicy({ budgetFor, breakerFor, onCall }), position: 'perRetry' }],
 *   })
 */
export function createArmPipelinePolicy(options: ArmPipelinePolicyOptions): ArmPipelinePolicy {
  const throttlePauseMs = options.throttlePauseMs ?? 5000;
  const attempts = new WeakMap<PipelineRequest, number>();
  const counters: ArmPolicyStats = { apiCalls: 0, throttled: 0, retries: 0, shortCircuited: 0 };

  const report = (event: ArmCallEvent): void => {
    if (!options.onCall) return;
    try {
      options.onCall(event);
    } catch {
      // Telemetry must never fail the call it observes.
    }
  };

  return {
    name: armPipelinePolicyName,
    stats: () => ({ ...counters }),
    async sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
      const subscriptionId = subscriptionIdOf(request.url);
      // Resource Graph's quota is per caller and apart from Resource Manager's reads: its own bucket
      const graph = isResourceGraphUrl(request.url);
      const scope = graph ? RESOURCE_GRAPH_SCOPE : (subscriptionId ?? 'global');
      const attempt = (attempts.get(request) ?? 0) + 1;
      attempts.set(request, attempt);
      const budget = options.budgetFor(scope);
      const breaker = options.breakerFor(scope);
      const base = {
        subscriptionId,
        scope,
        method: request.method,
        attempt,
        retry: attempt > 1,
        requestId: request.requestId,
      };

      const afterResponse = async (
        status: number,
        headers: PipelineResponse['headers'] | undefined,
      ): Promise<void> => {
        if (status === 429) {
          counters.throttled += 1;
          const quotaResetMs = graph ? parseQuotaResetMs(headers) : undefined;
          // A Graph 429 names its wait in the quota header; the SDK's retry reads only Retry-After
          // and its variants, so the wait is handed to it as retry-after-ms (still one retry layer).
          if (quotaResetMs !== undefined && headers && parseRetryAfterMs(headers) === undefined)
            headers.set('retry-after-ms', String(quotaResetMs));
          await budget.pause(quotaResetMs ?? parseRetryAfterMs(headers) ?? throttlePauseMs);
        }
      };

      let reachedNetwork = false;
      try {
        return await breaker.execute(async () => {
          await budget.take(1, request.abortSignal);
          counters.apiCalls += 1;
          if (attempt > 1) counters.retries += 1;
          reachedNetwork = true;
          const started = performance.now();
          let response: PipelineResponse;
          try {
            response = await next(request);
          } catch (e) {
            const failed = e as { statusCode?: unknown; response?: PipelineResponse };
            const status =
              typeof failed.statusCode === 'number' ? failed.statusCode : failed.response?.status;
            report({
              ...base,
              status,
              durationMs: performance.now() - started,
              throttled: status === 429,
              error: e,
            });
            if (status !== undefined) await afterResponse(status, failed.response?.headers);
            throw e;
          }
          report({
            ...base,
            status: response.status,
            durationMs: performance.now() - started,
            throttled: response.status === 429,
          });
          const remaining = graph ? parseQuotaRemaining(response.headers) : remainingReads(response);
          if (remaining !== undefined) budget.observeRemaining(remaining);
          await afterResponse(response.status, response.headers);
          if (isTransientStatus(response.status)) throw new FailedResponse(response);
          return response;
        });
      } catch (e) {
        if (e instanceof FailedResponse) return e.response;
        if (!reachedNetwork && (e as { code?: unknown }).code === 'CircuitOpen') counters.shortCircuited += 1;
        throw e;
      }
    },
  };
}
