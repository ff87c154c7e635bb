import { describe, expect, it } from 'vitest';
import { describeRedisError } from '../../src/cache/describeRedisError';

const ctx = {
  target: 'rediss://:***@cache.example:6380',
  host: 'cache.example',
  connectTimeoutMs: 200,
  commandTimeoutMs: 50,
  socketTimeoutMs: 1000,
};
const coded = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('describeRedisError names what to change', () => {
  it.each([
    [
      'refused',
      coded('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6380'),
      /refused the connection.*REDIS_URL/,
    ],
    ['unknown host', coded('ENOTFOUND'), /cache\.example does not resolve; check REDIS_URL/],
    ['connect timeout', coded('ETIMEDOUT', 'connect ETIMEDOUT'), /connectTimeoutMs=200 ms/],
    ['command timeout', new Error('Command timed out'), /commandTimeoutMs=50 ms/],
    [
      'dead socket',
      new Error("Socket timeout. Expecting data, but didn't receive any in 1000ms."),
      /stopped answering for 1000 ms/,
    ],
    [
      'bad password',
      new Error('WRONGPASS invalid username-password pair or user is disabled.'),
      /credentials.*REDIS_URL/,
    ],
    ['no password', new Error('NOAUTH Authentication required.'), /credentials.*REDIS_URL/],
    ['untrusted CA', coded('SELF_SIGNED_CERT_IN_CHAIN'), /TLS failed.*NODE_EXTRA_CA_CERTS/],
    ['TLS to a plain port', coded('ERR_SSL_WRONG_VERSION_NUMBER'), /rediss:\/\/ only for a TLS port/],
    ['out of memory', new Error("OOM command not allowed when used memory > 'maxmemory'."), /maxmemory/],
    ['replica', new Error("READONLY You can't write against a read only replica."), /primary/],
    [
      'offline',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      /unreachable.*reconnecting/,
    ],
    ['anything else', new Error('ERR something odd'), /failed: ERR something odd/],
  ])('%s', (_name, error, expected) => {
    const text = describeRedisError(error, ctx);
    expect(text).toMatch(expected);
    expect(text).toContain(ctx.target);
  });
});

describe('describeRedisError with Entra token sign-in', () => {
  const tokenCtx = { ...ctx, target: 'rediss://5f0e2f8a@cache.example:10000', tokenAuth: true };
  it.each([
    [
      'a rejected token',
      new Error('WRONGPASS invalid username-password pair or user is disabled.'),
      /access policy assignment for the identity.*AZURE_CLIENT_ID/,
    ],
    [
      'no token',
      coded('RedisTokenUnavailable', 'Could not get a Microsoft Entra token for Redis'),
      /Entra token/,
    ],
  ])('%s', (_name, error, expected) => {
    const text = describeRedisError(error, tokenCtx);
    expect(text).toMatch(expected);
    expect(text).not.toMatch(/access key/);
  });
});
