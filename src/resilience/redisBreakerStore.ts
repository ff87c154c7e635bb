import type { Redis } from 'ioredis';
import type { BreakerSnapshot, BreakerStateStore } from './BreakerStateStore';
import type { Event } from './events';
import { createGuardedRedis, type GuardedRedisOptions } from './guardedRedis';
import { createMemoryBreakerStore } from './memoryBreakerStore';
import { createRedisScript } from './redisScript';

export interface RedisBreakerStoreOptions extends GuardedRedisOptions {
  /** Breaker keys expire after this long without a write, in milliseconds (a day by default). */
  ttlMs?: number;
}

export interface RedisBreakerStore extends BreakerStateStore {
  /** 'memory' while Redis is down and this process answers from its own fallback state. */
  mode(): 'redis' | 'memory';
  readonly onUnavailable: Event<{ error: unknown }>;
  readonly onRecovered: Event<void>;
}

/**
 * Counts a failure and opens the circuit in one step, so two processes failing at once cannot
 * both miss (or both cross) the threshold. KEYS[1] state hash; ARGV threshold, now (ms),
 * recoveryMs, ttlMs. Numbers travel as strings: Lua would truncate them to integers.
 */
const RECORD_FAILURE = createRedisScript(`
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local openedUntil = tonumber(redis.call('HGET', KEYS[1], 'openedUntil')) or 0
local now = tonumber(ARGV[2])
local opened = 0
if failures >= tonumber(ARGV[1]) and openedUntil <= now then
  openedUntil = now + tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], 'openedUntil', string.format('%.0f', openedUntil))
  opened = 1
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return {failures, string.format('%.0f', openedUntil), opened}
`);

/**
 * Breaker state shared by every process through Redis: a hash `<prefix><name>` with the
 * consecutive failure count and openedUntil, and a probe lease `<prefix><name>:probe` taken with
 * SET NX PX so exactly one process probes a half-open circuit. When Redis errors or is slow
 * (over `timeoutMs`, 50 ms by default) each operation answers from an in-process store instead.
 */
export function createRedisBreakerStore(
  redis: Redis,
  prefix = 'topdeck:breaker:',
  options: RedisBreakerStoreOptions = {},
): RedisBreakerStore {
  const guard = createGuardedRedis(redis, options);
  const fallback = createMemoryBreakerStore();
  const ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
  const stateKey = (name: string): string => `${prefix}${name}`;
  const probeKey = (name: string): string => `${prefix}${name}:probe`;

  return {
    mode: () => (guard.available() ? 'redis' : 'memory'),
    onUnavailable: guard.onUnavailable,
    onRecovered: guard.onRecovered,

    async read(name): Promise<BreakerSnapshot> {
      const r = await guard.run((c) => c.hmget(stateKey(name), 'failures', 'openedUntil'));
      if (!r.ok) return fallback.read(name);
      const [failures, openedUntil] = r.value;
      return { failures: Number(failures ?? 0) || 0, openedUntil: Number(openedUntil ?? 0) || 0 };
    },

    async recordFailure(name, o) {
      const r = await guard.run((c) =>
        RECORD_FAILURE(c, [stateKey(name)], [o.threshold, o.now, o.recoveryMs, ttlMs]),
      );
      if (!r.ok || !Array.isArray(r.value)) return fallback.recordFailure(name, o);
      const [failures, openedUntil, opened] = r.value as [number, string, number];
      return { failures: Number(failures), openedUntil: Number(openedUntil), opened: Number(opened) === 1 };
    },

    async recordSuccess(name) {
      await guard.run((c) => c.del(stateKey(name), probeKey(name)));
      // Clear the fallback too, so a later outage does not resurrect a stale open circuit.
      await fallback.recordSuccess(name);
    },

    async acquireProbe(name, o) {
      const r = await guard.run((c) =>
        c.set(probeKey(name), String(o.now), 'PX', Math.max(1, Math.ceil(o.leaseMs)), 'NX'),
      );
      if (!r.ok) return fallback.acquireProbe(name, o);
      return r.value === 'OK';
    },

    async reopen(name, openedUntil) {
      const r = await guard.run((c) =>
        c
          .multi()
          .hset(stateKey(name), 'openedUntil', String(Math.round(openedUntil)))
          .pexpire(stateKey(name), ttlMs)
          .del(probeKey(name))
          .exec(),
      );
      if (!r.ok) await fallback.reopen(name, openedUntil);
    },
  };
}
