import type { Redis } from 'ioredis';
import { createEmitter, type Event } from './events';

export interface GuardedRedisOptions {
  /** Longest a single Redis operation may hold up a call before the fallback is used, in milliseconds. */
  timeoutMs?: number;
  /** After a failure, how long to go straight to the fallback before trying Redis again, in milliseconds. */
  cooldownMs?: number;
  now?: () => number;
}

export const guardedRedisDefaults = { timeoutMs: 50, cooldownMs: 1000 };

export type RedisOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface GuardedRedis {
  /** Runs one Redis operation, bounded by timeoutMs; never throws, never waits out a reconnect. */
  run<T>(op: (redis: Redis) => Promise<T>): Promise<RedisOutcome<T>>;
  /** False while Redis is known to be down (the caller uses its in-process fallback). */
  available(): boolean;
  readonly onUnavailable: Event<{ error: unknown }>;
  readonly onRecovered: Event<void>;
}

/**
 * Wraps a caller-owned ioredis client so that a dead, restarting or hung Redis costs a call at
 * most `timeoutMs` (50 ms by default), and usually nothing: while ioredis is reconnecting, or in
 * the cooldown after a failure, operations are not even sent (they would sit in ioredis's offline
 * queue until it gives up).
 */
export function createGuardedRedis(redis: Redis, options: GuardedRedisOptions = {}): GuardedRedis {
  const timeoutMs = options.timeoutMs ?? guardedRedisDefaults.timeoutMs;
  const cooldownMs = options.cooldownMs ?? guardedRedisDefaults.cooldownMs;
  const now = options.now ?? Date.now;
  const unavailable = createEmitter<{ error: unknown }>();
  const recovered = createEmitter<void>();
  let downUntil = 0;
  let down = false;
  let everReady = false;
  let lastError: unknown;

  const usable = (): boolean => {
    const status = redis.status;
    if (status === 'ready') {
      everReady = true;
      return true;
    }
    // 'wait' is a lazyConnect client that connects on its first command; a first connect is
    // worth waiting for (bounded), a reconnect after an outage is not.
    if (status === 'wait') return true;
    if (status === 'connecting' || status === 'connect') return !everReady;
    return false;
  };

  const markDown = (error: unknown): void => {
    lastError = error;
    downUntil = now() + cooldownMs;
    if (!down) {
      down = true;
      unavailable.emit({ error });
    }
  };

  return {
    onUnavailable: unavailable.event,
    onRecovered: recovered.event,
    available: () => !(down && now() < downUntil) && usable(),
    async run<T>(op: (redis: Redis) => Promise<T>): Promise<RedisOutcome<T>> {
      if (down && now() < downUntil) return { ok: false, error: lastError };
      if (!usable()) {
        const error = new Error(`Redis is not connected (status ${redis.status})`);
        markDown(error);
        return { ok: false, error };
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<RedisOutcome<T>>((resolve) => {
        timer = setTimeout(
          () => resolve({ ok: false, error: new Error(`Redis did not answer within ${timeoutMs} ms`) }),
          timeoutMs,
        );
        timer.unref?.();
      });
      const attempt = Promise.resolve()
        .then(() => op(redis))
        .then(
          (value): RedisOutcome<T> => ({ ok: true, value }),
          (error: unknown): RedisOutcome<T> => ({ ok: false, error }),
        );
      const outcome = await Promise.race([attempt, timeout]);
      clearTimeout(timer);
      if (outcome.ok) {
        if (redis.status === 'ready') everReady = true;
        if (down) {
          down = false;
          recovered.emit();
        }
      } else {
        markDown(outcome.error);
      }
      return outcome;
    },
  };
}
