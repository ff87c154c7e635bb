import type { Redis } from 'ioredis';
import type { BucketParams, Reservation } from './tokenBucket';
import { createRedisScript } from './redisScript';

/**
 * The GCRA reservation of tokenBucket.ts, atomically in Redis, on Redis's own clock (TIME), so
 * processes on different machines share one bucket whatever their clocks say.
 * KEYS[1] bucket hash (tat, pausedUntil, slowFactor, slowUntil).
 * ARGV intervalMs, capacity, cost, maxWaitMs. Returns {granted 0|1, waitMs as a string}.
 */
const RESERVE = createRedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local h = redis.call('HMGET', KEYS[1], 'tat', 'pausedUntil', 'slowFactor', 'slowUntil')
local tat = tonumber(h[1]) or 0
local paused = tonumber(h[2]) or 0
local factor = 1
if (tonumber(h[4]) or 0) > now then factor = math.max(1, tonumber(h[3]) or 1) end
local interval = tonumber(ARGV[1]) * factor
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local arrival = math.max(now, paused)
local newTat = math.max(tat, arrival) + cost * interval
local allowAt = math.max(arrival, newTat - capacity * interval)
local wait = allowAt - now
if wait > tonumber(ARGV[4]) then return {0, string.format('%.3f', wait)} end
redis.call('HSET', KEYS[1], 'tat', string.format('%.3f', newTat))
redis.call('PEXPIRE', KEYS[1], math.ceil(math.max(newTat, paused) - now) + 60000)
return {1, string.format('%.3f', wait)}
`);

/** ARGV ms. Extends the shared pause to now + ms (never shortens one already set). */
const PAUSE = createRedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('HGET', KEYS[1], 'pausedUntil')) or 0
if untilMs > current then redis.call('HSET', KEYS[1], 'pausedUntil', string.format('%.3f', untilMs)) end
local ttl = redis.call('PTTL', KEYS[1])
local need = math.ceil(math.max(untilMs, current) - now) + 60000
if ttl < need then redis.call('PEXPIRE', KEYS[1], need) end
return string.format('%.3f', math.max(untilMs, current) - now)
`);

/** ARGV factor, durationMs. Refill slows by `factor` for durationMs (factor 1 clears it). */
const SLOW = createRedisScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
redis.call('HSET', KEYS[1], 'slowFactor', ARGV[1], 'slowUntil', string.format('%.3f', now + tonumber(ARGV[2])))
local ttl = redis.call('PTTL', KEYS[1])
local need = tonumber(ARGV[2]) + 60000
if ttl < need then redis.call('PEXPIRE', KEYS[1], need) end
return 1
`);

export async function reserveRedisTokens(
  redis: Redis,
  key: string,
  params: BucketParams,
  cost: number,
  maxWaitMs: number,
): Promise<Reservation> {
  const reply = (await RESERVE(redis, [key], [params.intervalMs, params.capacity, cost, maxWaitMs])) as [
    number,
    string,
  ];
  const waitMs = Math.max(0, Number(reply[1]));
  return Number(reply[0]) === 1 ? { granted: true, waitMs } : { granted: false, waitMs };
}

/** Returns how long the shared pause now lasts, in milliseconds. */
export async function pauseRedisBucket(redis: Redis, key: string, ms: number): Promise<number> {
  return Number(await PAUSE(redis, [key], [Math.max(0, ms)]));
}

export async function slowRedisBucket(
  redis: Redis,
  key: string,
  factor: number,
  durationMs: number,
): Promise<void> {
  await SLOW(redis, [key], [factor, durationMs]);
}
