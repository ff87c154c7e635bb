import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type RedisScript = (redis: Redis, keys: string[], args: Array<string | number>) => Promise<unknown>;

/**
 * A Lua script run by its SHA (EVALSHA), loaded with EVAL the first time a server has not seen it
 * (NOSCRIPT), without registering commands on the caller's client.
 */
export function createRedisScript(lua: string): RedisScript {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith('NOSCRIPT')) throw e;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}
