import { classifyError } from '../errors/classifyError';
import { TopDeckError } from '../errors/TopDeckError';
import type { BreakerSnapshot, BreakerStateStore } from './BreakerStateStore';
import { configurationError } from './configurationError';
import { createEmitter, type Event } from './events';
import { createMemoryBreakerStore } from './memoryBreakerStore';

export type BreakerState = 'closed' | 'open' | 'halfOpen';

export interface CircuitBreakerOptions {
  /** The dependency guarded, as it should read in an error: "arm:<subscriptionId>", "devops:<org>". */
  name: string;
  /** Consecutive transient failures that open the circuit. */
  threshold?: number;
  /** How long the circuit stays open before one probe is let through, in milliseconds. */
  recoveryMs?: number;
  /** How long one probe may hold the half-open circuit before another caller may probe, in milliseconds; recoveryMs by default. */
  probeLeaseMs?: number;
  /** Shared state (createRedisBreakerStore); in-process by default. */
  store?: BreakerStateStore;
  now?: () => number;
  /**
   * Which errors mean "the dependency is failing". By default: transient ones, except 429
   * (throttling is the rate budget's job, the service is up) and errors raised locally by our
   * own policies (CircuitOpen, BudgetExhausted). A 404 is an answer, not an outage.
   */
  isFailure?: (error: unknown) => boolean;
}

export const circuitBreakerDefaults = { threshold: 5, recoveryMs: 60_000 };

/** Codes our own mechanisms raise before the dependency is even called. */
const LOCAL_CODES = new Set(['CircuitOpen', 'BudgetExhausted', 'InvalidConfiguration']);

export function isDependencyFailure(error: unknown): boolean {
  const e = classifyError(error);
  return e.transient && e.statusCode !== 429 && !LOCAL_CODES.has(e.code);
}

export interface BreakEvent {
  name: string;
  failures: number;
  /** Epoch milliseconds at which one probe will be let through. */
  openedUntil: number;
  error: TopDeckError;
}

export interface CircuitBreaker {
  readonly name: string;
  /** Runs fn unless the circuit is open; errors from fn are re-thrown unchanged. */
  execute<T>(fn: () => Promise<T>): Promise<T>;
  /** Last state seen by this instance (synchronous); `refresh()` reads the shared store. */
  state(): BreakerState;
  refresh(): Promise<BreakerState>;
  readonly onBreak: Event<BreakEvent>;
  readonly onReset: Event<{ name: string }>;
  readonly onHalfOpen: Event<{ name: string }>;
}

export function stateOf(snapshot: BreakerSnapshot, now: number): BreakerState {
  if (snapshot.openedUntil <= 0) return 'closed';
  return snapshot.openedUntil > now ? 'open' : 'halfOpen';
}

/**
 * A consecutive-failures circuit breaker whose state lives in a BreakerStateStore, so that every
 * process agrees when a dependency is down. Open: calls fail fast with a transient CircuitOpen
 * error saying when it will try again. After recoveryMs exactly one probe is let through (a lease
 * in the store); its success closes the circuit, its failure opens it for another recoveryMs.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  const name = options.name;
  const threshold = options.threshold ?? circuitBreakerDefaults.threshold;
  const recoveryMs = options.recoveryMs ?? circuitBreakerDefaults.recoveryMs;
  const probeLeaseMs = options.probeLeaseMs ?? recoveryMs;
  const store = options.store ?? createMemoryBreakerStore();
  const now = options.now ?? Date.now;
  const isFailure = options.isFailure ?? isDependencyFailure;
  if (!name)
    throw configurationError(
      'circuit breaker option "name" must name the dependency, e.g. "arm:<subscriptionId>"',
    );
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw configurationError(`circuit breaker option "threshold" must be an integer >= 1, got ${threshold}`);
  }
  if (!(recoveryMs > 0) || !Number.isFinite(recoveryMs)) {
    throw configurationError(
      `circuit breaker option "recoveryMs" must be a finite number > 0, got ${recoveryMs}`,
    );
  }
  if (!(probeLeaseMs > 0))
    throw configurationError(`circuit breaker option "probeLeaseMs" must be > 0, got ${probeLeaseMs}`);

  const broke = createEmitter<BreakEvent>();
  const reset = createEmitter<{ name: string }>();
  const halfOpened = createEmitter<{ name: string }>();
  let last: BreakerSnapshot = { failures: 0, openedUntil: 0 };
  let lastFailures = 0;

  const openError = (openedUntil: number, probing: boolean): TopDeckError => {
    const at = new Date(openedUntil).toISOString();
    const message = probing
      ? `${name} is unavailable: the circuit is half-open and another caller is probing it; try again shortly`
      : `${name} is unavailable: the circuit opened after ${Math.max(threshold, lastFailures)} consecutive transient failures; it will try again at ${at}`;
    return new TopDeckError({
      code: 'CircuitOpen',
      message,
      transient: true,
      retryAfterMs: probing ? Math.min(1000, recoveryMs) : Math.max(0, openedUntil - now()),
    });
  };

  const onProbeOutcome = async (error: unknown | undefined, failed: boolean): Promise<void> => {
    if (failed) {
      const openedUntil = now() + recoveryMs;
      await store.reopen(name, openedUntil);
      last = { failures: Math.max(threshold, last.failures), openedUntil };
      broke.emit({ name, failures: last.failures, openedUntil, error: classifyError(error) });
    } else {
      await store.recordSuccess(name);
      last = { failures: 0, openedUntil: 0 };
      reset.emit({ name });
    }
  };

  return {
    name,
    onBreak: broke.event,
    onReset: reset.event,
    onHalfOpen: halfOpened.event,
    state: () => stateOf(last, now()),
    async refresh() {
      last = await store.read(name);
      return stateOf(last, now());
    },

    async execute<T>(fn: () => Promise<T>): Promise<T> {
      const snapshot = await store.read(name);
      last = snapshot;
      lastFailures = snapshot.failures;
      const state = stateOf(snapshot, now());
      if (state === 'open') throw openError(snapshot.openedUntil, false);

      if (state === 'halfOpen') {
        if (!(await store.acquireProbe(name, { leaseMs: probeLeaseMs, now: now() })))
          throw openError(snapshot.openedUntil, true);
        halfOpened.emit({ name });
        let result: T;
        try {
          result = await fn();
        } catch (e) {
          await onProbeOutcome(e, isFailure(e));
          throw e;
        }
        await onProbeOutcome(undefined, false);
        return result;
      }

      let result: T;
      try {
        result = await fn();
      } catch (e) {
        if (isFailure(e)) {
          const after = await store.recordFailure(name, { threshold, recoveryMs, now: now() });
          last = after;
          lastFailures = after.failures;
          if (after.opened)
            broke.emit({
              name,
              failures: after.failures,
              openedUntil: after.openedUntil,
              error: classifyError(e),
            });
        } else if (snapshot.failures > 0) {
          // The dependency answered (a 404 is an answer): the run of failures is broken.
          await store.recordSuccess(name);
          last = { failures: 0, openedUntil: 0 };
        }
        throw e;
      }
      // Only write when there is something to reset: a healthy dependency costs one read per call.
      if (snapshot.failures > 0) {
        await store.recordSuccess(name);
        last = { failures: 0, openedUntil: 0 };
      }
      return result;
    },
  };
}
