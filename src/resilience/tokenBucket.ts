/**
 * A token bucket kept as a "theoretical arrival time" (GCRA): `tat` is the moment the bucket
 * would be full again. A take of `cost` tokens *reserves* its slot: it moves `tat` forward and
 * tells the caller how long to wait, so callers are served in the order they asked (FIFO) and
 * no one polls. Over any window of W ms at most capacity + W / intervalMs tokens are granted.
 *
 * The same arithmetic runs in Lua for the shared Redis bucket (redisTokenBucket.ts); this is the
 * in-process version, used when Redis is down and in unit tests.
 */
export interface BucketState {
  /** Epoch ms at which the bucket is full again. */
  tat: number;
  /** Epoch ms before which nothing is granted (a server's Retry-After, shared by every caller). */
  pausedUntil: number;
  /** While slowUntil is in the future, tokens refill this many times more slowly. */
  slowFactor: number;
  slowUntil: number;
}

export interface BucketParams {
  /** Milliseconds to refill one token. */
  intervalMs: number;
  /** Bucket size: the burst allowed after a quiet period, in tokens. */
  capacity: number;
}

export type Reservation = { granted: true; waitMs: number } | { granted: false; waitMs: number };

export function emptyBucketState(): BucketState {
  return { tat: 0, pausedUntil: 0, slowFactor: 1, slowUntil: 0 };
}

/**
 * Reserves `cost` tokens at `now`. Granted: the caller may proceed after waitMs (0 = at once) and
 * the state has been advanced. Refused (waitMs > maxWaitMs): nothing is reserved.
 */
export function reserveTokens(
  state: BucketState,
  params: BucketParams,
  cost: number,
  maxWaitMs: number,
  now: number,
): Reservation {
  const factor = state.slowUntil > now ? Math.max(1, state.slowFactor) : 1;
  const interval = params.intervalMs * factor;
  // A request made during a pause is treated as arriving when the pause ends: at most a full
  // bucket (capacity) goes at that instant, not everything that queued up meanwhile.
  const arrival = Math.max(now, state.pausedUntil);
  const newTat = Math.max(state.tat, arrival) + cost * interval;
  const allowAt = Math.max(arrival, newTat - params.capacity * interval);
  const waitMs = allowAt - now;
  if (waitMs > maxWaitMs) return { granted: false, waitMs };
  state.tat = newTat;
  return { granted: true, waitMs };
}

export function pauseBucket(state: BucketState, until: number): void {
  state.pausedUntil = Math.max(state.pausedUntil, until);
}

export function slowBucket(state: BucketState, factor: number, until: number): void {
  state.slowFactor = factor;
  state.slowUntil = factor > 1 ? until : 0;
}
