import { classifyError } from '../errors/classifyError';
import { TopDeckError } from '../errors/TopDeckError';
import { backoffDelay, type Jitter } from './backoffDelay';
import { configurationError } from './configurationError';
import { createEmitter, type Event } from './events';
import { abortReason, sleep } from './sleep';

export interface RetryOptions {
  /** Total attempts, the first one included; at least 1. */
  attempts?: number;
  /** In milliseconds. */
  initialDelayMs?: number;
  /** Cap on every delay, jitter and server Retry-After included, in milliseconds. */
  maxDelayMs?: number;
  base?: number;
  jitter?: Jitter;
  /** Which errors are worth another attempt; by default the transient ones. */
  isRetryable?: (error: unknown) => boolean;
  /** Source of jitter in [0, 1); Math.random by default. */
  random?: () => number;
}

export const retryDefaults = {
  attempts: 3,
  initialDelayMs: 1000,
  maxDelayMs: 60_000,
  base: 2,
  jitter: true as Jitter,
  isRetryable: (error: unknown): boolean => classifyError(error).transient,
  random: Math.random,
};

export interface RetryContext {
  /** 1 for the first attempt. */
  attempt: number;
  signal: AbortSignal;
}

export interface RetryEvent {
  /** The attempt that just failed (1-based); the next one is attempt + 1. */
  attempt: number;
  /** How long the policy waits before the next attempt, in milliseconds. */
  delayMs: number;
  /** True when the delay came from the server's Retry-After rather than from backoff. */
  fromRetryAfter: boolean;
  error: TopDeckError;
}

export interface GiveUpEvent {
  attempts: number;
  error: TopDeckError;
  reason: 'exhausted' | 'notRetryable' | 'aborted';
}

/** What to do after a failed attempt: the decision as data, so it is trivial to test. */
export type RetryDecision = { retry: false } | { retry: true; delayMs: number; fromRetryAfter: boolean };

export interface RetryPolicy {
  execute<T>(fn: (context: RetryContext) => Promise<T>, signal?: AbortSignal): Promise<T>;
  readonly onRetry: Event<RetryEvent>;
  readonly onGiveUp: Event<GiveUpEvent>;
}

export type ResolvedRetryOptions = Required<RetryOptions>;

export function resolveRetryOptions(options: RetryOptions): ResolvedRetryOptions {
  const o = { ...retryDefaults, ...stripUndefined(options) };
  if (!Number.isInteger(o.attempts) || o.attempts < 1) {
    throw configurationError(
      `retry option "attempts" must be an integer >= 1 (the first attempt included), got ${o.attempts}`,
    );
  }
  if (!(o.initialDelayMs >= 0) || !Number.isFinite(o.initialDelayMs)) {
    throw configurationError(
      `retry option "initialDelayMs" must be a finite number >= 0, got ${o.initialDelayMs}`,
    );
  }
  if (!(o.maxDelayMs >= 0) || !Number.isFinite(o.maxDelayMs)) {
    throw configurationError(`retry option "maxDelayMs" must be a finite number >= 0, got ${o.maxDelayMs}`);
  }
  if (!(o.base >= 1) || !Number.isFinite(o.base)) {
    throw configurationError(`retry option "base" must be a finite number >= 1, got ${o.base}`);
  }
  return o;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Decides whether attempt `attempt` (1-based), which failed with `error`, gets another try and after
 * how long. A server Retry-After (TopDeckError.retryAfterMs) wins over backoff; both are capped at
 * maxDelayMs.
 */
export function retryDecision(
  error: TopDeckError,
  attempt: number,
  options: ResolvedRetryOptions,
  original: unknown = error,
): RetryDecision {
  if (attempt >= options.attempts || !options.isRetryable(original)) return { retry: false };
  if (error.retryAfterMs !== undefined && Number.isFinite(error.retryAfterMs) && error.retryAfterMs >= 0) {
    return { retry: true, delayMs: Math.min(options.maxDelayMs, error.retryAfterMs), fromRetryAfter: true };
  }
  return { retry: true, delayMs: backoffDelay(attempt, options), fromRetryAfter: false };
}

/** The classified error, re-issued with the number of attempts made (the original stays as cause). */
function withAttempts(error: TopDeckError, attempts: number): TopDeckError {
  const out = new TopDeckError({
    code: error.code,
    message: error.message,
    transient: error.transient,
    statusCode: error.statusCode,
    retryAfterMs: error.retryAfterMs,
    attempts,
    cause: error.cause ?? error,
  });
  if (error.stack) out.stack = error.stack;
  return out;
}

const neverAborted = new AbortController().signal;

/**
 * Retries transient failures with capped exponential backoff and jitter, honouring the server's
 * Retry-After. A hand loop rather than cockatiel's RetryPolicy because cockatiel's delay cannot be
 * cut short by an abort, and the Retry-After-aware delay and the attempts-on-the-error contract
 * are most of the code either way.
 *
 * Do not wrap an Azure SDK call in this: the SDK pipeline retries already (one retry layer per call).
 */
export function createRetryPolicy(options: RetryOptions = {}): RetryPolicy {
  const resolved = resolveRetryOptions(options);
  const retried = createEmitter<RetryEvent>();
  const gaveUp = createEmitter<GiveUpEvent>();

  const giveUp = (error: TopDeckError, attempts: number, reason: GiveUpEvent['reason']): TopDeckError => {
    const final = withAttempts(error, attempts);
    gaveUp.emit({ attempts, error: final, reason });
    return final;
  };

  return {
    onRetry: retried.event,
    onGiveUp: gaveUp.event,
    async execute<T>(
      fn: (context: RetryContext) => Promise<T>,
      signal: AbortSignal = neverAborted,
    ): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        if (signal.aborted) throw giveUp(classifyError(abortReason(signal)), attempt - 1, 'aborted');
        let original: unknown;
        try {
          return await fn({ attempt, signal });
        } catch (e) {
          original = e;
        }
        const error = classifyError(original);
        if (signal.aborted) throw giveUp(error, attempt, 'aborted');
        const decision = retryDecision(error, attempt, resolved, original);
        if (!decision.retry)
          throw giveUp(error, attempt, attempt >= resolved.attempts ? 'exhausted' : 'notRetryable');
        retried.emit({ attempt, delayMs: decision.delayMs, fromRetryAfter: decision.fromRetryAfter, error });
        try {
          await sleep(decision.delayMs, signal);
        } catch {
          throw giveUp(error, attempt, 'aborted');
        }
      }
    },
  };
}
