/**
 * Where a circuit breaker keeps its state, so that every process calling the same dependency
 * agrees on it. Times are epoch milliseconds from the breaker's clock. Implementations never
 * throw: a store that cannot reach its backend answers from an in-process fallback.
 */
export interface BreakerSnapshot {
  /** Consecutive transient failures seen since the last success. */
  failures: number;
  /** While in the future the circuit is open; once past it is half-open; 0 means closed. */
  openedUntil: number;
}

export interface BreakerStateStore {
  read(name: string): Promise<BreakerSnapshot>;
  /**
   * Counts one more consecutive failure, atomically; when the count reaches `threshold` and the
   * circuit is not already open, opens it until now + recoveryMs. `opened` says this call did it.
   */
  recordFailure(
    name: string,
    options: { threshold: number; recoveryMs: number; now: number },
  ): Promise<BreakerSnapshot & { opened: boolean }>;
  /** Closes the circuit and clears the failure count and any probe lease. */
  recordSuccess(name: string): Promise<void>;
  /** Exactly one caller gets true until the lease is released or `leaseMs` has passed (SET NX PX). */
  acquireProbe(name: string, options: { leaseMs: number; now: number }): Promise<boolean>;
  /** After a failed probe: open again until `openedUntil`, and release the probe lease. */
  reopen(name: string, openedUntil: number): Promise<void>;
}

export const closedSnapshot: BreakerSnapshot = Object.freeze({ failures: 0, openedUntil: 0 });
