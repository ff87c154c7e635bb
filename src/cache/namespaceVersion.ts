/**
 * What version() returns when it cannot know the namespace's version (no Redis,
 * Redis unreachable, an invalidation still waiting to be written): real versions
 * are positive, so a caller building keys itself must skip the cache on 0.
 */
export const UNKNOWN_VERSION = 0;

/** A version as Redis returned it, or undefined when it is not one we wrote. */
export function parseVersion(reply: unknown): number | undefined {
  const n = typeof reply === 'string' || typeof reply === 'number' ? Number(reply) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * Lua run by Redis for namespace versions. A version is the server's clock in
 * MICROseconds (from TIME, so instances with skewed clocks agree), never a counter
 * starting at 1: if a counter key is evicted or deleted while entries written under
 * its old version survive, a restarted counter would walk back into those versions
 * and serve stale entries. A bump takes max(now, current + 1); at microsecond
 * resolution successive bumps (each a network round trip apart) never run ahead of
 * the clock, so a re-created counter is newer than every version handed out before
 * (unless the server's clock is stepped back). Values travel as strings: Lua numbers
 * are doubles, exact up to 2^53 (~1.7e15 µs now, good until the 2200s), and
 * '%.0f' prints every digit.
 */

/** KEYS[1] = counter. Returns the current version, creating it when absent. */
export const INIT_VERSION_LUA = `
local v = redis.call('GET', KEYS[1])
if v then return v end
local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
redis.call('SET', KEYS[1], now)
return now
`;

/** KEYS[1] = counter. Sets it to max(now, current + 1) and returns it. */
export const BUMP_VERSION_LUA = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
local t = redis.call('TIME')
local nextVersion = tonumber(t[1]) * 1000000 + tonumber(t[2])
if nextVersion <= current then nextVersion = current + 1 end
local s = string.format('%.0f', nextVersion)
redis.call('SET', KEYS[1], s)
return s
`;
