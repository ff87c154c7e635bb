import type { Redis } from 'ioredis';
import { TopDeckError } from '../errors/TopDeckError';
import { configurationError } from './configurationError';
import { createEmitter, type Event } from './events';
import { createGuardedRedis, type GuardedRedisOptions } from './guardedRedis';
import { pauseRedisBucket, reserveRedisTokens, slowRedisBucket } from './redisTokenBucket';
import { abortReason, sleep, type AbortSignalLike } from './sleep';
import { emptyBucketState, pauseBucket, reserveTokens, slowBucket, type BucketParams } from './tokenBucket';

export interface RateBudgetOptions {
  /** The API whose limit this is: "arm", "devops", ... */
  service: string;
  /** Who the limit applies to: a subscription id, an organisation, "global". */
  scope: string;
  /** Bucket size in tokens: the burst allowed after a quiet period. */
  capacity?: number;
  /** Sustained rate in tokens per second. */
  refillPerSecond?: number;
  /**
   * Alternative to capacity/refillPerSecond: "at most `points` calls in ANY window of `durationMs`"
   * (Azure DevOps: 200 per 60 000 ms). Becomes a bucket of capacity (default points/10) refilling
   * (points - capacity) per durationMs, which can never exceed points in a sliding window.
   */
  points?: number;
  durationMs?: number;
  /** Shared bucket for every process; absent = in-process only. */
  redis?: Redis;
  /** Longest a take() may wait for its slot, in milliseconds; further away it fails with BudgetExhausted. */
  maxWaitMs?: number;
  /** This process's share of the budget for its in-process bucket (used when Redis is down or absent): 1/N with N workers. */
  fallbackShare?: number;
  /** Below this many remaining calls reported by the server (observeRemaining), refill slows down. Default 10 % of capacity. */
  lowWaterMark?: number;
  /** How long one low observation slows the budget, in milliseconds. */
  slowdownMs?: number;
  /** Largest slowdown factor applied when the server reports nothing remaining. */
  maxSlowdown?: number;
  keyPrefix?: string;
  /** Bound on each Redis operation and the pause before retrying a failed Redis (see guardedRedis). */
  redisTimeoutMs?: GuardedRedisOptions['timeoutMs'];
  redisCooldownMs?: GuardedRedisOptions['cooldownMs'];
  now?: () => number;
}

export const rateBudgetDefaults = {
  maxWaitMs: 30_000,
  fallbackShare: 1,
  slowdownMs: 10_000,
  maxSlowdown: 8,
  keyPrefix: 'topdeck:budget:',
};

export interface RateBudgetStats {
  service: string;
  scope: string;
  /** Where the last take was decided. */
  mode: 'redis' | 'memory';
  capacity: number;
  refillPerSecond: number;
  /** take() calls that were granted, and the tokens they took. */
  granted: number;
  tokens: number;
  /** Granted takes that had to wait, and the total wait in milliseconds. */
  waited: number;
  waitedMs: number;
  /** take() calls refused with BudgetExhausted. */
  rejected: number;
  /** Takes decided by the in-process fallback bucket. */
  fallbacks: number;
  pauses: number;
  /** Epoch ms of the latest pause known to this process (0 = none). */
  pausedUntil: number;
  slowFactor: number;
}

export interface RateBudget {
  readonly service: string;
  readonly scope: string;
  /** Waits (FIFO) until `cost` tokens are available; past maxWaitMs throws a transient BudgetExhausted. */
  take(cost?: number, signal?: AbortSignalLike): Promise<void>;
  /** Stops every process taking from this budget for `ms` milliseconds (a 429's Retry-After). Never rejects. */
  pause(ms: number): Promise<void>;
  /** Feeds the server's own remaining-calls header; below the low-water mark the refill slows. */
  observeRemaining(remaining: number): void;
  stats(): RateBudgetStats;
  readonly onWait: Event<{ service: string; scope: string; cost: number; waitMs: number }>;
  readonly onExhausted: Event<{ service: string; scope: string; cost: number; waitMs: number }>;
  readonly onPause: Event<{ service: string; scope: string; ms: number }>;
  /** Redis stopped answering: the in-process share is used until it does again. */
  readonly onUnavailable: Event<{ error: unknown }>;
  readonly onRecovered: Event<void>;
}

function resolveRate(o: RateBudgetOptions): { capacity: number; refillPerSecond: number } {
  const where = `rate budget ${o.service}:${o.scope}`;
  if (o.refillPerSecond !== undefined) {
    const capacity = o.capacity ?? Math.max(1, o.refillPerSecond);
    if (!(o.refillPerSecond > 0) || !Number.isFinite(o.refillPerSecond)) {
      throw configurationError(
        `${where}: "refillPerSecond" must be a finite number > 0, got ${o.refillPerSecond}`,
      );
    }
    if (!(capacity > 0) || !Number.isFinite(capacity))
      throw configurationError(`${where}: "capacity" must be a finite number > 0, got ${capacity}`);
    return { capacity, refillPerSecond: o.refillPerSecond };
  }
  if (o.points !== undefined || o.durationMs !== undefined) {
    const points = o.points ?? NaN;
    const durationMs = o.durationMs ?? NaN;
    if (!(points > 0) || !(durationMs > 0) || !Number.isFinite(points) || !Number.isFinite(durationMs)) {
      throw configurationError(
        `${where}: "points" and "durationMs" must both be finite numbers > 0, got ${o.points} / ${o.durationMs}`,
      );
    }
    const capacity = o.capacity ?? Math.max(1, Math.ceil(points / 10));
    if (!(capacity > 0) || capacity >= points) {
      throw configurationError(
        `${where}: "capacity" must be > 0 and below "points" (${points}), got ${capacity}`,
      );
    }
    return { capacity, refillPerSecond: ((points - capacity) / durationMs) * 1000 };
  }
  throw configurationError(`${where}: set "capacity" and "refillPerSecond", or "points" and "durationMs"`);
}

/**
 * A token bucket per (service, scope) shared by every process through Redis (a Lua GCRA on
 * Redis's clock: reservations, so waiting callers are served first come first served), with an
 * in-process bucket of this process's share (fallbackShare) whenever Redis is down or absent.
 *
 * rate-limiter-flexible's RateLimiterRedis is a fixed window: it lets through up to twice the
 * points around a window boundary, which breaks "never more than N in any window"; hence the
 * bucket here.
 */
export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const { service, scope } = options;
  if (!service || !scope)
    throw configurationError(
      'rate budget options "service" and "scope" are required, e.g. ("devops", "<org>")',
    );
  const { capacity, refillPerSecond } = resolveRate(options);
  const maxWaitMs = options.maxWaitMs ?? rateBudgetDefaults.maxWaitMs;
  const share = options.fallbackShare ?? rateBudgetDefaults.fallbackShare;
  const lowWaterMark = options.lowWaterMark ?? Math.max(1, Math.ceil(capacity * 0.1));
  const slowdownMs = options.slowdownMs ?? rateBudgetDefaults.slowdownMs;
  const maxSlowdown = options.maxSlowdown ?? rateBudgetDefaults.maxSlowdown;
  const now = options.now ?? Date.now;
  if (!(share > 0 && share <= 1))
    throw configurationError(
      `rate budget ${service}:${scope}: "fallbackShare" must be in (0, 1], got ${share}`,
    );
  if (!(maxWaitMs >= 0))
    throw configurationError(`rate budget ${service}:${scope}: "maxWaitMs" must be >= 0, got ${maxWaitMs}`);
  if (!(maxSlowdown >= 1))
    throw configurationError(
      `rate budget ${service}:${scope}: "maxSlowdown" must be >= 1, got ${maxSlowdown}`,
    );

  const key = `${options.keyPrefix ?? rateBudgetDefaults.keyPrefix}${service}:${scope}`;
  const shared: BucketParams = { intervalMs: 1000 / refillPerSecond, capacity };
  const local: BucketParams = { intervalMs: 1000 / (refillPerSecond * share), capacity: capacity * share };
  const localState = emptyBucketState();
  const guard = options.redis
    ? createGuardedRedis(options.redis, {
        timeoutMs: options.redisTimeoutMs,
        cooldownMs: options.redisCooldownMs,
      })
    : undefined;

  const waitEmitter = createEmitter<{ service: string; scope: string; cost: number; waitMs: number }>();
  const exhaustedEmitter = createEmitter<{ service: string; scope: string; cost: number; waitMs: number }>();
  const pauseEmitter = createEmitter<{ service: string; scope: string; ms: number }>();
  const noRedis = createEmitter<{ error: unknown }>();
  const counters = { granted: 0, tokens: 0, waited: 0, waitedMs: 0, rejected: 0, fallbacks: 0, pauses: 0 };
  let mode: 'redis' | 'memory' = guard ? 'redis' : 'memory';
  let lastSlowWrite = { factor: 1, at: 0 };

  return {
    service,
    scope,
    onWait: waitEmitter.event,
    onExhausted: exhaustedEmitter.event,
    onPause: pauseEmitter.event,
    onUnavailable: guard?.onUnavailable ?? noRedis.event,
    onRecovered: guard?.onRecovered ?? createEmitter<void>().event,

    async take(cost = 1, signal?: AbortSignalLike): Promise<void> {
      if (!(cost > 0) || !Number.isFinite(cost))
        throw configurationError(
          `rate budget ${service}:${scope}: take(cost) needs a finite cost > 0, got ${cost}`,
        );
      if (signal?.aborted) throw abortReason(signal);
      const outcome = guard
        ? await guard.run((c) => reserveRedisTokens(c, key, shared, cost, maxWaitMs))
        : undefined;
      let reservation;
      if (outcome?.ok) {
        mode = 'redis';
        reservation = outcome.value;
      } else {
        mode = 'memory';
        counters.fallbacks += 1;
        reservation = reserveTokens(localState, local, cost, maxWaitMs, now());
      }
      if (!reservation.granted) {
        counters.rejected += 1;
        const waitMs = Math.ceil(reservation.waitMs);
        exhaustedEmitter.emit({ service, scope, cost, waitMs });
        throw new TopDeckError({
          code: 'BudgetExhausted',
          message: `${service} rate budget for ${scope} is exhausted: the next slot is ${waitMs} ms away, more than maxWaitMs (${maxWaitMs} ms)`,
          transient: true,
          retryAfterMs: waitMs,
        });
      }
      if (reservation.waitMs > 0) {
        counters.waited += 1;
        counters.waitedMs += reservation.waitMs;
        waitEmitter.emit({ service, scope, cost, waitMs: reservation.waitMs });
        // An abort while waiting gives up the slot rather than refunding it: erring on the safe side.
        await sleep(reservation.waitMs, signal);
      }
      counters.granted += 1;
      counters.tokens += cost;
    },

    async pause(ms: number): Promise<void> {
      if (!(ms > 0) || !Number.isFinite(ms)) return;
      pauseBucket(localState, now() + ms);
      counters.pauses += 1;
      pauseEmitter.emit({ service, scope, ms });
      if (guard) await guard.run((c) => pauseRedisBucket(c, key, ms));
    },

    observeRemaining(remaining: number): void {
      if (!Number.isFinite(remaining) || remaining < 0) return;
      const factor =
        remaining >= lowWaterMark
          ? 1
          : Math.min(maxSlowdown, lowWaterMark / Math.max(remaining, lowWaterMark / maxSlowdown));
      const t = now();
      const wasSlow = localState.slowUntil > t && localState.slowFactor > 1;
      if (factor === 1 && !wasSlow) return;
      slowBucket(localState, factor, t + slowdownMs);
      if (!guard) return;
      // Write only changes, or refresh a slowdown half-way through, so a busy client does not
      // turn every response into an extra Redis write.
      const changed = Math.abs(factor - lastSlowWrite.factor) > 0.1 * lastSlowWrite.factor;
      const stale = factor > 1 && t - lastSlowWrite.at > slowdownMs / 2;
      if (!changed && !stale) return;
      lastSlowWrite = { factor, at: t };
      void guard.run((c) => slowRedisBucket(c, key, factor, slowdownMs));
    },

    stats: () => ({
      service,
      scope,
      mode,
      capacity,
      refillPerSecond,
      ...counters,
      pausedUntil: localState.pausedUntil,
      slowFactor: localState.slowUntil > now() ? localState.slowFactor : 1,
    }),
  };
}
