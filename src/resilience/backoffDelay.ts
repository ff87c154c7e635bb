/**
 * `true` means equal jitter: it keeps at least half of the exponential delay (so a retry never
 * fires immediately after a failure) while spreading callers over the other half.
 */
export type Jitter = boolean | 'full' | 'equal';

export interface BackoffOptions {
  /** Delay after the first failed attempt, in milliseconds. */
  initialDelayMs: number;
  /** No delay ever exceeds this, in milliseconds, jitter included. */
  maxDelayMs: number;
  base: number;
  jitter: Jitter;
  /** A number in [0, 1); injectable so tests can pin the jitter. */
  random: () => number;
}

/**
 * Delay before the next attempt after attempt `failedAttempt` (1-based) failed, in milliseconds:
 * the ceiling min(maxDelayMs, initialDelayMs * base^(failedAttempt-1)), then jitter applied
 * *below* that ceiling, so the result is always within [0, maxDelayMs].
 */
export function backoffDelay(failedAttempt: number, options: BackoffOptions): number {
  const exponential = options.initialDelayMs * Math.pow(options.base, Math.max(0, failedAttempt - 1));
  const ceiling = Math.min(
    options.maxDelayMs,
    Number.isFinite(exponential) ? exponential : options.maxDelayMs,
  );
  if (options.jitter === false) return ceiling;
  const r = Math.min(1, Math.max(0, Number(options.random()) || 0));
  const delay = options.jitter === 'full' ? r * ceiling : ceiling / 2 + (r * ceiling) / 2;
  return Math.min(ceiling, Math.floor(delay));
}
