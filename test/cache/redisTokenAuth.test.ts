import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createArmResilience } from '../../src/app/armResilience';
import { createDevOpsResilience } from '../../src/devops/createDevOpsResilience';
import { createCache } from '../../src/cache/Cache';
import { objectIdOf, redisTokenAuth, refreshDelayMs } from '../../src/cache/redisTokenAuth';
import { createLogger, setLogSink } from '../../src/telemetry/logger';
import { startEntraRedis, type EntraRedis } from '../support/entraRedis';
import { startRedisServer, type RedisServer } from '../support/redisServer';

/** Short-lived tokens, so a test sees several refreshes (Azure's live about an hour). */
const LIFETIME_MS = 1200;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('refreshDelayMs', () => {
  const now = 1_000_000;
  it.each([
    ['an hour-long token: 5 minutes before expiry', 3_600_000, undefined, 3_300_000],
    ['a short token: a quarter of its life before expiry', 1_200, undefined, 900],
    ["the credential's earlier hint wins", 3_600_000, 1_800_000, 1_800_000],
    ['a hint past the safe point does not', 3_600_000, 3_590_000, 3_300_000],
    ['an expired token: at once', -5, undefined, 0],
  ])('%s', (_name, life, hint, expected) => {
    const token = {
      token: 't',
      expiresOnTimestamp: now + life,
      ...(hint !== undefined ? { refreshAfterTimestamp: now + hint } : {}),
    };
    expect(refreshDelayMs(token, now)).toBe(expected);
  });
});

describe('objectIdOf', () => {
  it('reads the oid claim, and nothing from what is not a JWT', () => {
    const claims = Buffer.from(JSON.stringify({ oid: 'abc' })).toString('base64url');
    expect(objectIdOf(`h.${claims}.s`)).toBe('abc');
    expect(objectIdOf('not-a-jwt')).toBeUndefined();
    expect(objectIdOf('h.!!!.s')).toBeUndefined();
  });
});

describe('Redis with Microsoft Entra tokens (redis-server with ACL users behind an expiring-token proxy)', () => {
  let server: RedisServer;
  let entra: EntraRedis;
  const clients: Redis[] = [];

  beforeAll(async () => {
    server = await startRedisServer();
    setLogSink(() => undefined);
  });
  afterAll(async () => {
    setLogSink(undefined);
    await server?.stop();
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.disconnect();
    await entra?.close();
  });

  /** A client built like the cache's: no offline queue, no per-command retries. */
  function client(): Redis {
    const url = new URL(entra.url);
    const c = new Redis({
      host: url.hostname,
      port: Number(url.port),
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 20,
    });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  }

  it('refuses a client that does not re-authenticate once its token expires (the proxy is faithful)', async () => {
    entra = await startEntraRedis(server.port, LIFETIME_MS);
    const token = (await entra.credential.getToken('scope')) as { token: string };
    const c = client();
    c.options.username = entra.objectId;
    c.options.password = token.token;
    await c.connect();
    expect(await c.ping()).toBe('PONG');
    await sleep(LIFETIME_MS + 200);
    // Closed by the proxy (and again on each reconnect: the old token no longer opens one).
    expect(entra.expiredConnections()).toBeGreaterThanOrEqual(1);
    await expect(c.ping()).rejects.toThrow();
  });

  it('re-sends AUTH on the open connection before each token expires: no command fails across refreshes', async () => {
    entra = await startEntraRedis(server.port, LIFETIME_MS);
    const c = client();
    const errors: unknown[] = [];
    const session = redisTokenAuth(c, { credential: entra.credential, onError: (e) => errors.push(e) });
    await session.ready;
    await c.connect();

    let ok = 0;
    const failures: unknown[] = [];
    const until = Date.now() + LIFETIME_MS * 3.5;
    let i = 0;
    while (Date.now() < until) {
      try {
        await c.set(`k${i % 10}`, String(i));
        expect(await c.get(`k${i % 10}`)).toBe(String(i));
        ok++;
      } catch (error) {
        failures.push(error);
      }
      i++;
      await sleep(15);
    }
    session.stop();

    expect(failures).toEqual([]);
    expect(errors).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect(entra.credential.issued).toBeGreaterThanOrEqual(4);
    expect(entra.expiredConnections()).toBe(0);
    // One connection, authenticated again with each new token in turn, as the object id's user.
    expect(entra.connections()).toBe(1);
    const tokens = entra.auths().map((a) => a.token);
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    expect(tokens).toEqual([...tokens].sort((a, b) => a - b));
    expect(await c.call('ACL', 'WHOAMI')).toBe(entra.objectId);
  });

  it('authenticates a reconnect with the newest token, not the one it started with', async () => {
    entra = await startEntraRedis(server.port, LIFETIME_MS);
    const c = client();
    const session = redisTokenAuth(c, { credential: entra.credential });
    await session.ready;
    await c.connect();
    await sleep(LIFETIME_MS * 1.6); // past the first token's expiry: only a refreshed token works now
    expect(entra.credential.issued).toBeGreaterThanOrEqual(2);

    entra.dropConnections();
    await sleep(200);
    expect(await c.ping()).toBe('PONG');
    session.stop();

    const auths = entra.auths();
    const secondConnection = auths.filter((a) => a.connection === 2);
    expect(secondConnection.length).toBeGreaterThanOrEqual(1);
    expect((secondConnection[0] as { token: number }).token).toBeGreaterThan(1);
    expect(entra.expiredConnections()).toBe(0);
  });

  it('the cache signs in with tokens and serves hits across several token lifetimes', async () => {
    entra = await startEntraRedis(server.port, LIFETIME_MS);
    const cache = createCache({
      url: entra.url,
      tokenAuth: { credential: entra.credential },
      logger: createLogger('test'),
      // Generous: what is under test is signing in across refreshes, not latency on a busy machine.
      connectTimeoutMs: 2000,
      commandTimeoutMs: 1000,
    });
    try {
      let hits = 0;
      const until = Date.now() + LIFETIME_MS * 3;
      let i = 0;
      while (Date.now() < until) {
        await cache.set(`key${i}`, { i });
        const read = await cache.get<{ i: number }>(`key${i}`);
        if (read.hit && read.value.i === i) hits++;
        i++;
        await sleep(20);
      }
      const stats = await cache.stats();
      expect(stats.errors).toBe(0);
      expect(hits).toBe(i);
      expect(entra.credential.issued).toBeGreaterThanOrEqual(3);
      expect(entra.expiredConnections()).toBe(0);
    } finally {
      await cache.close();
    }
  });

  /** An Entra-ID Redis, an admin connection to it, and how many clients are signed in as the identity. */
  const entraRedisWithAdmin = async () => {
    entra = await startEntraRedis(server.port, LIFETIME_MS);
    const admin = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    clients.push(admin);
    await admin.connect();
    const asIdentity = async () =>
      String(await admin.call('CLIENT', 'LIST'))
        .split('\n')
        .filter((line) => line.includes(`user=${entra.objectId}`)).length;
    return { admin, asIdentity };
  };

  it('the shared Resource Manager budget connects as the identity and stays connected across refreshes', async () => {
    const { asIdentity } = await entraRedisWithAdmin();
    expect(await asIdentity()).toBe(0);
    const resilience = createArmResilience(entra.url, createLogger('test'), { credential: entra.credential });
    try {
      for (let i = 0; i < 50 && (await asIdentity()) === 0; i++) await sleep(20);
      expect(await asIdentity()).toBe(1);
      await sleep(LIFETIME_MS * 2.5);
      expect(await asIdentity()).toBe(1);
      expect(entra.expiredConnections()).toBe(0);
      expect(entra.credential.issued).toBeGreaterThanOrEqual(3);
    } finally {
      await resilience.close();
    }
  });

  it('the shared Azure DevOps budget connects as the identity too, and spends its tokens in Redis', async () => {
    const { admin, asIdentity } = await entraRedisWithAdmin();
    const resilience = createDevOpsResilience({
      organization: 'contoso-entra',
      callsPerMinute: 100,
      redisUrl: entra.url,
      redisTokenAuth: { credential: entra.credential },
      logger: createLogger('test'),
    });
    try {
      await resilience.ready(2000);
      expect(await asIdentity()).toBe(1);
      const before = (await admin.keys('*contoso-entra*')).length;
      await resilience.stack.execute(async () => 'called');
      expect(before).toBe(0);
      expect((await admin.keys('*contoso-entra*')).length).toBeGreaterThan(0);
    } finally {
      await resilience.close();
    }
  });
});
