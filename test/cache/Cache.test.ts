import { spawnSync } from 'node:child_process';
import path from 'node:path';
import tls from 'node:tls';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cacheKey,
  createCache,
  parseRedisUrl,
  UNKNOWN_VERSION,
  type Cache,
  type CacheOptions,
} from '../../src/cache/Cache';
import { MAX_READABLE_ARGS_BYTES } from '../../src/cache/cacheKey';
import { isTopDeckError } from '../../src/errors/TopDeckError';
import { freePort } from '../../src/runtime/freePort';
import type { Logger } from '../../src/telemetry/logger';
import { startRedisServer, type RedisServer } from '../support/redisServer';
import { startTcpProxy, type TcpProxy } from './tcpProxy';
import { createTestCertificate, startTlsRedisServer, type TestCertificate } from './tlsRedisServer';

interface LogEntry {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** A logger that keeps entries as given (no redaction), so a leak in the cache's own output shows. */
function captureLogger(): Logger & { entries: LogEntry[]; text(): string } {
  const entries: LogEntry[] = [];
  const make = (context: Record<string, unknown>): Logger => ({
    debug: (message, fields) => entries.push({ level: 'debug', message, fields: { ...context, ...fields } }),
    info: (message, fields) => entries.push({ level: 'info', message, fields: { ...context, ...fields } }),
    warn: (message, fields) => entries.push({ level: 'warn', message, fields: { ...context, ...fields } }),
    error: (message, fields) => entries.push({ level: 'error', message, fields: { ...context, ...fields } }),
    child: (fields) => make({ ...context, ...fields }),
  });
  return Object.assign(make({}), {
    entries,
    text: () =>
      JSON.stringify(entries, (_k, v: unknown) =>
        v instanceof Error ? { message: v.message, stack: v.stack, code: (v as { code?: unknown }).code } : v,
      ),
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Polls until check() holds, or fails after timeoutMs. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await check()) return performance.now() - start;
    await sleep(50);
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

let server: RedisServer;
let raw: Redis;
const opened: Cache[] = [];
let prefixCounter = 0;

function open(options: Partial<CacheOptions> = {}): Cache {
  const cache = createCache({
    url: server.url,
    prefix: `t${++prefixCounter}:`,
    logger: captureLogger(),
    ...options,
  });
  opened.push(cache);
  return cache;
}

beforeAll(async () => {
  // Fails loudly (never skips) when redis-server is missing.
  server = await startRedisServer();
  raw = new Redis(server.url);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  raw?.disconnect();
  await server?.stop();
});

describe('Cache against a real redis-server', () => {
  it('round-trips JSON with the default TTL, an explicit TTL and no expiry', async () => {
    const cache = open({ prefix: 'rt:' });
    expect(cache.enabled).toBe(true);
    const value = {
      name: 'vm-1',
      cores: 4,
      tags: { env: 'prod' },
      disks: [1, 'two', null, true],
      ratio: 0.5,
    };
    await cache.set('obj', value);
    expect(await cache.get('obj')).toEqual({ hit: true, value });
    const pttl = await raw.pttl('rt:obj');
    expect(pttl).toBeGreaterThan(3_590_000);
    expect(pttl).toBeLessThanOrEqual(3_600_000);

    await cache.set('short', 'x', 10);
    expect(await raw.ttl('rt:short')).toBeGreaterThanOrEqual(9);
    expect(await raw.ttl('rt:short')).toBeLessThanOrEqual(10);

    await cache.set('forever', 'x', null);
    expect(await raw.ttl('rt:forever')).toBe(-1);
    expect(await raw.get('rt:forever')).toBe('"x"');

    const dated = await (async () => {
      await cache.set('date', { at: new Date('2024-01-02T03:04:05.000Z') });
      return cache.get<{ at: string }>('date');
    })();
    expect(dated).toEqual({ hit: true, value: { at: '2024-01-02T03:04:05.000Z' } });
  });

  it('reads a cached null as a hit, an absent key as a miss, and delete() removes', async () => {
    const cache = open();
    await cache.set('nothing', null);
    expect(await cache.get('nothing')).toEqual({ hit: true, value: null });
    expect(await cache.get('absent')).toEqual({ hit: false });
    await cache.set('zero', 0);
    expect(await cache.get('zero')).toEqual({ hit: true, value: 0 });
    await cache.delete('nothing');
    expect(await cache.get('nothing')).toEqual({ hit: false });
  });

  it('rejects ttl <= 0 and non-finite ttls; null means no expiry; a fraction expires', async () => {
    const cache = open({ prefix: 'ttl:' });
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = await cache.set('k', 1, bad).catch((e: unknown) => e);
      expect(isTopDeckError(error) && error.code).toBe('InvalidArgument');
      expect((error as Error).message).toMatch(/null for no expiry/);
      await expect(cache.cached('ns', {}, async () => 1, bad)).rejects.toThrow(/positive number of seconds/);
    }
    expect(await raw.exists('ttl:k')).toBe(0);
    expect(() => createCache({ url: server.url, defaultTtlSeconds: 0 })).toThrow(/defaultTtlSeconds/);

    const noExpiry = open({ prefix: 'ttl-null:', defaultTtlSeconds: null });
    await noExpiry.set('k', 1);
    expect(await raw.ttl('ttl-null:k')).toBe(-1);

    await cache.set('brief', 'gone soon', 0.15);
    expect((await cache.get('brief')).hit).toBe(true);
    await sleep(300);
    expect(await cache.get('brief')).toEqual({ hit: false });
  });

  it('rejects values JSON cannot represent instead of storing something else', async () => {
    const cache = open();
    await expect(cache.set('u', undefined)).rejects.toThrow(/cache null/);
    await expect(cache.set('b', 10n)).rejects.toThrow(/cannot be stored as JSON/);
    await expect(cache.get('')).rejects.toThrow(/non-empty/);
  });

  it('clear(pattern) removes > 1,000 keys with SCAN batches + UNLINK, never KEYS, and only under its prefix', async () => {
    // A roomy command timeout: this test is about correctness; degradation has its own tests.
    const cache = open({ prefix: 'clr:', commandTimeoutMs: 2_000 });
    const total = 2_500;
    const pipeline = raw.pipeline();
    for (let i = 0; i < total; i++) pipeline.set(`clr:bulk:${i}`, '1');
    for (let i = 0; i < 10; i++) pipeline.set(`clr:keep:${i}`, '1');
    for (let i = 0; i < 10; i++) pipeline.set(`other:bulk:${i}`, '1');
    await pipeline.exec();

    const monitor = await new Redis(server.url).monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(String(args[0]).toLowerCase()));
    try {
      // MONITOR reports commands in execution order: once a marker shows, all before it have.
      const marker = async (text: string) => {
        await raw.echo(text);
        await eventually(async () => commands.includes('echo'), 5_000);
        commands.length = 0;
      };
      await marker('start');
      expect(await cache.clear('bulk:*')).toBe(total);
      await raw.echo('end');
      await eventually(async () => commands.includes('echo'), 5_000);
    } finally {
      monitor.disconnect();
    }
    expect(commands).not.toContain('keys');
    expect(commands.filter((c) => c === 'scan').length).toBeGreaterThan(2);
    expect(commands.filter((c) => c === 'unlink').length).toBeGreaterThan(1);

    expect(await raw.exists('clr:bulk:0', 'clr:bulk:2499')).toBe(0);
    expect(await raw.exists('clr:keep:0', 'clr:keep:9', 'other:bulk:0', 'other:bulk:9')).toBe(4);
    expect(await cache.clear('bulk:*')).toBe(0);
  });

  it('escapes glob characters in the prefix so clear() cannot reach other prefixes', async () => {
    const cache = open({ prefix: 'p[1]:' });
    await cache.set('a', 1);
    await raw.set('p1:a', '1');
    expect(await cache.clear('*')).toBe(1);
    expect(await raw.exists('p1:a')).toBe(1);
  });

  it('cached() computes once then hits, with keys independent of object key order', async () => {
    const cache = open();
    let calls = 0;
    const compute = async () => ({ n: ++calls });
    expect(
      await cache.cached('resources', { sub: 's1', type: 'vm', page: { size: 10, from: 0 } }, compute),
    ).toEqual({ n: 1 });
    expect(
      await cache.cached('resources', { page: { from: 0, size: 10 }, type: 'vm', sub: 's1' }, compute),
    ).toEqual({ n: 1 });
    expect(calls).toBe(1);
    expect(await cache.cached('resources', { sub: 's2', type: 'vm' }, compute)).toEqual({ n: 2 });
    expect(
      await cache.cached('other', { sub: 's1', type: 'vm', page: { size: 10, from: 0 } }, compute),
    ).toEqual({ n: 3 });

    let nulls = 0;
    expect(await cache.cached('nullable', 'x', async () => (nulls++, null))).toBeNull();
    expect(await cache.cached('nullable', 'x', async () => (nulls++, null))).toBeNull();
    expect(nulls).toBe(1);

    await expect(cache.cached('failing', 1, async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect(await cache.cached('failing', 1, async () => 'recovered')).toBe('recovered');

    const stats = await cache.stats();
    expect(stats).toMatchObject({ hits: 2, errors: 0 });
  });

  it('cached() stores with the given TTL under a versioned key', async () => {
    const cache = open({ prefix: 'cttl:' });
    await cache.cached('ns', { a: 1 }, async () => 'v', 30);
    const version = await cache.version('ns');
    const ttl = await raw.ttl(`cttl:ns:v${version}:{"a":1}`);
    expect(ttl).toBeGreaterThan(25);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  it('bumpVersion() invalidates a namespace, and versions never walk back when the counter is lost', async () => {
    const cache = open({ prefix: 'ver:' });
    const v1 = await cache.version('scans');
    expect(v1).toBeGreaterThan(0);
    expect(await cache.version('scans')).toBe(v1);

    let calls = 0;
    const compute = async () => ++calls;
    expect(await cache.cached('scans', { id: 1 }, compute)).toBe(1);
    expect(await cache.cached('scans', { id: 1 }, compute)).toBe(1);
    expect(await cache.cached('changes', { id: 1 }, compute)).toBe(2);

    const v2 = await cache.bumpVersion('scans');
    expect(v2).toBeGreaterThan(v1);
    expect(await cache.version('scans')).toBe(v2);
    expect(await cache.cached('scans', { id: 1 }, compute)).toBe(3);
    expect(await cache.cached('scans', { id: 1 }, compute)).toBe(3);
    // Other namespaces are untouched.
    expect(await cache.cached('changes', { id: 1 }, compute)).toBe(2);

    // Bumps in quick succession stay strictly increasing.
    const v3 = await cache.bumpVersion('scans');
    const v4 = await cache.bumpVersion('scans');
    expect(v4).toBeGreaterThan(v3);
    expect(v3).toBeGreaterThan(v2);

    // The counter evicted or deleted: the new version is newer than every old one, so old entries stay unreachable.
    await raw.del('ver:scans:version');
    const after = await cache.version('scans');
    expect(after).toBeGreaterThan(v4);
  });

  it('a second Cache object (another instance) sees the bump at once', async () => {
    const a = open({ prefix: 'shared:' });
    const b = open({ prefix: 'shared:' });
    let calls = 0;
    expect(await a.cached('apps', null, async () => ++calls)).toBe(1);
    expect(await b.cached('apps', null, async () => ++calls)).toBe(1);
    await a.bumpVersion('apps');
    expect(await b.cached('apps', null, async () => ++calls)).toBe(2);
  });

  it('stats() counts hits, misses and errors, and reports the server keyspace figures', async () => {
    const cache = open();
    await cache.get('missing');
    await cache.set('present', { x: 1 });
    await cache.get('present');
    await cache.get('present');
    await raw.set(`t${prefixCounter}:not-json`, '{oops');
    expect(await cache.get('not-json')).toEqual({ hit: false });
    const stats = await cache.stats();
    expect(stats.hits).toBe(2);
    expect(stats.misses).toBe(2);
    expect(stats.errors).toBe(1);
    expect(stats.server?.keys).toBeGreaterThanOrEqual(2);
    expect(stats.server?.usedMemoryBytes).toBeGreaterThan(0);
    expect(stats.server?.keyspaceHits).toBeGreaterThanOrEqual(2);
    expect(stats.server?.keyspaceMisses).toBeGreaterThanOrEqual(1);
    expect(await cache.ping()).toBe(true);
  });

  it('answers the very first call from Redis (it waits for the initial connection, not a miss)', async () => {
    await raw.set('first:k', '"v"');
    const cache = open({ prefix: 'first:' });
    expect(await cache.get('k')).toEqual({ hit: true, value: 'v' });
  });

  it('close() is idempotent and later calls behave as misses without errors', async () => {
    const cache = open();
    await cache.set('k', 1);
    await cache.close();
    await cache.close();
    expect(await cache.get('k')).toEqual({ hit: false });
    await cache.set('k', 2);
    expect(await cache.cached('ns', 1, async () => 'computed')).toBe('computed');
    expect(await cache.ping()).toBe(false);
    expect((await cache.stats()).errors).toBe(0);
  });
});

/** A graph answer's shape: `n` resources and an edge from each to the one before (~4 MB of JSON at 8,000). */
function bigGraph(n: number) {
  const nodes = Array.from({ length: n }, (_, i) => ({
    id: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app-${i >> 4}/providers/Microsoft.Compute/virtualMachines/vm-${i}`,
    name: `vm-${i}`,
    type: 'Microsoft.Compute/virtualMachines',
    key: `k${i.toString(36)}`,
    application: `app-${i % 50}`,
  }));
  const edges = nodes.slice(1).map((node, i) => ({
    sourceId: node.id,
    targetId: nodes[i]?.id,
    category: 'network',
    evidence: `properties.networkProfile.networkInterfaces[${i}].id`,
  }));
  return { nodes, edges };
}

describe('large values (the graph answer at 10,000 resources is ~12 MB of JSON)', () => {
  /** 20 MB/s: the plain JSON below takes ~200 ms to cross, four times the default 50 ms command timeout. */
  const SLOW_LINK_BYTES_PER_MS = 20_000;
  let proxy: TcpProxy;
  const graph = bigGraph(8_000);
  const json = JSON.stringify(graph);

  beforeAll(async () => {
    proxy = await startTcpProxy(server.port);
    proxy.limitBandwidth(SLOW_LINK_BYTES_PER_MS);
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('a value too big to cross the link within commandTimeoutMs is stored compressed and served from the cache on the next read', async () => {
    expect(json.length / SLOW_LINK_BYTES_PER_MS).toBeGreaterThan(4 * 50);
    const cache = open({ url: proxy.url(), prefix: 'big:' });
    let computed = 0;
    const compute = async () => {
      computed++;
      return graph;
    };
    expect(await cache.cached('api', { op: 'graph' }, compute)).toEqual(graph);
    expect(await cache.cached('api', { op: 'graph' }, compute)).toEqual(graph);
    expect(computed).toBe(1);
    expect(await cache.stats()).toMatchObject({ hits: 1, misses: 1, errors: 0 });

    // As stored: a short marker under the entry's key, the gzipped JSON beside it, living as long.
    const entry = `big:api:v${await cache.version('api')}:{"op":"graph"}`;
    const marker = await raw.get(entry);
    expect(marker?.length).toBeLessThan(100);
    expect(() => JSON.parse(marker ?? '')).toThrow();
    const compressed = await raw.getBuffer(`${entry}:gz`);
    expect(compressed?.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(compressed?.length).toBeLessThan(json.length / 10);
    expect(await raw.pttl(`${entry}:gz`)).toBeGreaterThanOrEqual(await raw.pttl(entry));
    expect(await raw.pttl(entry)).toBeGreaterThan(3_590_000);
  });

  it('set/get round-trip a large value; a small value or delete() over it removes its compressed bytes; bytes gone read as a miss', async () => {
    const cache = open({ url: proxy.url(), prefix: 'bigkv:' });
    await cache.set('doc', graph, null);
    expect(await cache.get('doc')).toEqual({ hit: true, value: graph });
    expect(await raw.ttl('bigkv:doc')).toBe(-1);
    expect(await raw.ttl('bigkv:doc:gz')).toBe(-1);

    await cache.set('doc', 'small');
    expect(await raw.exists('bigkv:doc:gz')).toBe(0);
    expect(await cache.get('doc')).toEqual({ hit: true, value: 'small' });

    await cache.set('doc', graph);
    await cache.delete('doc');
    expect(await raw.exists('bigkv:doc', 'bigkv:doc:gz')).toBe(0);

    // Evicted apart from its marker (volatile-lru may pick either): a miss, never a wrong value.
    await cache.set('doc', graph);
    await raw.unlink('bigkv:doc:gz');
    expect(await cache.get('doc')).toEqual({ hit: false });
    expect(await cache.stats()).toMatchObject({ hits: 2, misses: 1, errors: 0 });
  });
});

describe('Redis going away and coming back', () => {
  const PER_CALL_LIMIT_MS = 200;

  it('keeps answering within a bound while redis-server is stopped, logs once without the password, and recovers by itself', async () => {
    const own = await startRedisServer();
    const admin = new Redis(own.url);
    const password = 'S3cret/pa ss@word';
    await admin.config('SET', 'requirepass', password);
    admin.disconnect();
    const logger = captureLogger();
    const url = `redis://:${encodeURIComponent(password)}@127.0.0.1:${own.port}`;
    const cache = createCache({ url, prefix: 'down:', logger });
    try {
      await cache.set('k', 'before');
      expect(await cache.get('k')).toEqual({ hit: true, value: 'before' });
      let computed = 0;
      expect(await cache.cached('ns', { q: 1 }, async () => ++computed)).toBe(1);
      expect(await cache.cached('ns', { q: 1 }, async () => ++computed)).toBe(1);

      await own.stop();
      const errorsBefore = (await cache.stats()).errors;
      const worst: Record<string, number> = {};
      const check = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
        const { value, ms } = await timed(fn);
        worst[name] = Math.max(worst[name] ?? 0, ms);
        return value;
      };
      for (let i = 0; i < 20; i++) {
        expect(await check('get', () => cache.get('k'))).toEqual({ hit: false });
        await check('set', () => cache.set('k', i));
        await check('delete', () => cache.delete('k'));
        expect(await check('cached', () => cache.cached('ns', { q: 1 }, async () => ++computed))).toBe(
          computed,
        );
        expect(await check('clear', () => cache.clear('*'))).toBe(0);
        expect(await check('version', () => cache.version('ns'))).toBe(UNKNOWN_VERSION);
        expect(await check('ping', () => cache.ping())).toBe(false);
        expect(await check('stats', () => cache.stats())).not.toHaveProperty('server');
        await sleep(25);
      }
      for (const [name, ms] of Object.entries(worst)) {
        expect(ms, `${name} took ${ms.toFixed(1)} ms with Redis down`).toBeLessThan(PER_CALL_LIMIT_MS);
      }
      expect(computed).toBe(21);
      expect((await cache.stats()).errors).toBeGreaterThanOrEqual(errorsBefore + 20 * 6);

      const warnings = logger.entries.filter((e) => e.level === 'warn' || e.level === 'error');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/REDIS_URL/);
      expect(logger.text()).not.toContain(password);
      expect(logger.text()).not.toContain(encodeURIComponent(password));
      expect(logger.text()).not.toContain('pa ss');

      await own.start(); // a fresh server: no requirepass, no data
      const recoveredIn = await eventually(async () => {
        await cache.set('k', 'after');
        return (await cache.get('k')).hit;
      }, 5_000);
      expect(recoveredIn).toBeLessThan(5_000);
      expect(await cache.get('k')).toEqual({ hit: true, value: 'after' });
      expect(await cache.cached('ns', { q: 1 }, async () => ++computed)).toBe(22);
      expect(await cache.cached('ns', { q: 1 }, async () => ++computed)).toBe(22);
      expect(logger.entries.filter((e) => e.message === 'Redis cache reachable again')).toHaveLength(1);
      expect(logger.text()).not.toContain(password);
    } finally {
      await cache.close();
      await own.stop();
    }
  });

  describe('through a proxy (Redis stays up, the network breaks)', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      proxy = await startTcpProxy(server.port);
    });
    afterAll(async () => {
      await proxy.close();
    });

    it('a bump made while Redis is unreachable is applied when it is back, and stale entries are never served', async () => {
      const logger = captureLogger();
      // Generous command timeouts: this is about versions across an outage, not latency on a busy machine.
      const cache = createCache({ url: proxy.url(), prefix: 'px:', logger, commandTimeoutMs: 1_000 });
      const other = open({ prefix: 'px:', commandTimeoutMs: 1_000 }); // another instance, always connected
      try {
        let computed = 0;
        const compute = async () => ++computed;
        expect(await cache.cached('resources', 'all', compute)).toBe(1);
        expect(await cache.cached('resources', 'all', compute)).toBe(1);
        const before = await other.version('resources');

        await proxy.refuse();
        expect(await cache.bumpVersion('resources')).toBe(UNKNOWN_VERSION);
        expect(await cache.cached('resources', 'all', compute)).toBe(2);
        // Redis itself was never told: the other instance still sees the old version.
        expect(await other.version('resources')).toBe(before);

        await proxy.restore();
        await eventually(async () => (await other.version('resources')) > before, 5_000);
        // Redis holds the bump before this instance has read the reply that clears its pending
        // bump; until then it caches nothing (a busy machine once showed that window: 4, not 3).
        await eventually(async () => (await cache.version('resources')) > before, 5_000);
        // This instance now reads the new version: the entry computed before the outage is unreachable.
        expect(await cache.cached('resources', 'all', compute)).toBe(3);
        expect(await cache.cached('resources', 'all', compute)).toBe(3);
        expect(await other.cached('resources', 'all', compute)).toBe(3);
      } finally {
        await cache.close();
      }
    });

    it('a black-holed connection costs about commandTimeoutMs a call, then is dropped and re-established', async () => {
      const logger = captureLogger();
      const cache = createCache({ url: proxy.url(), prefix: 'bh:', logger });
      try {
        await cache.set('k', 1);
        expect(await cache.get('k')).toEqual({ hit: true, value: 1 });
        proxy.blackhole();
        const deadline = performance.now() + 2_500;
        let worst = 0;
        let calls = 0;
        while (performance.now() < deadline) {
          const { value, ms } = await timed(() => cache.cached('ns', 1, async () => 'computed'));
          expect(value).toBe('computed');
          worst = Math.max(worst, ms);
          calls++;
        }
        expect(worst).toBeLessThan(PER_CALL_LIMIT_MS);
        expect(calls).toBeGreaterThan(10);
        expect(logger.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
        expect(logger.entries[0]?.message).toMatch(/commandTimeoutMs|connectTimeoutMs|stopped answering/);

        await proxy.restore();
        await eventually(async () => (await cache.get('k')).hit, 5_000);
      } finally {
        await cache.close();
      }
    });
  });

  it('a cache pointed at a port where nothing listens starts, misses fast and logs once', async () => {
    const logger = captureLogger();
    const proxy = await startTcpProxy(server.port);
    await proxy.refuse();
    const cache = createCache({ url: proxy.url(), logger });
    try {
      for (let i = 0; i < 10; i++) {
        const { value, ms } = await timed(() => cache.get('k'));
        expect(value).toEqual({ hit: false });
        expect(ms).toBeLessThan(PER_CALL_LIMIT_MS);
      }
      const warnings = logger.entries.filter((e) => e.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/refused the connection.*REDIS_URL|REDIS_URL.*refused/);
    } finally {
      await cache.close();
      await proxy.close();
    }
  });
});

describe('rediss:// (TLS)', () => {
  let cert: TestCertificate;
  beforeAll(async () => {
    cert = await createTestCertificate();
  });

  it('talks TLS to a TLS-only redis-server when its CA is trusted the standard way (NODE_EXTRA_CA_CERTS)', async () => {
    const tlsServer = await startTlsRedisServer(cert);
    try {
      const root = path.resolve(__dirname, '../..');
      const child = spawnSync(
        path.join(root, 'node_modules', '.bin', 'tsx'),
        [path.join(__dirname, 'tlsClient.fixture.ts'), `rediss://localhost:${tlsServer.port}`],
        {
          cwd: root,
          encoding: 'utf8',
          timeout: 30_000,
          env: { ...process.env, NODE_EXTRA_CA_CERTS: cert.certFile },
        },
      );
      expect(child.stderr).toBe('');
      expect(JSON.parse(child.stdout)).toEqual({
        read: { hit: true, value: { over: 'tls' } },
        ping: true,
        errors: 0,
      });
    } finally {
      await tlsServer.stop();
    }
  });

  it('sends the host as SNI, and an untrusted certificate degrades with a message naming NODE_EXTRA_CA_CERTS', async () => {
    const port = await freePort();
    const names: string[] = [];
    const context = tls.createSecureContext({ cert: cert.cert, key: cert.key });
    const fake = tls.createServer({
      SNICallback: (name, done) => {
        names.push(name);
        done(null, context);
      },
    });
    fake.on('tlsClientError', () => {});
    await new Promise<void>((resolve) => fake.listen(port, '127.0.0.1', resolve));
    const logger = captureLogger();
    const cache = createCache({ url: `rediss://:pw@localhost:${port}`, logger });
    try {
      const { value, ms } = await timed(() => cache.get('k'));
      expect(value).toEqual({ hit: false });
      expect(ms).toBeLessThan(300);
      expect(names).toContain('localhost');
      const warnings = logger.entries.filter((e) => e.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]?.message).toMatch(/TLS failed.*NODE_EXTRA_CA_CERTS/);
    } finally {
      await cache.close();
      await new Promise((r) => fake.close(r));
    }
  });
});

describe('cache without a url', () => {
  it('is a no-op: every get misses, sets do nothing, cached() always computes', async () => {
    for (const url of [undefined, '', '   ']) {
      const cache = createCache({ url });
      expect(cache.enabled).toBe(false);
      await cache.set('k', 1);
      expect(await cache.get('k')).toEqual({ hit: false });
      let calls = 0;
      expect(await cache.cached('ns', 1, async () => ++calls)).toBe(1);
      expect(await cache.cached('ns', 1, async () => ++calls)).toBe(2);
      expect(await cache.clear('*')).toBe(0);
      expect(await cache.version('ns')).toBe(UNKNOWN_VERSION);
      expect(await cache.bumpVersion('ns')).toBe(UNKNOWN_VERSION);
      expect(await cache.ping()).toBe(false);
      expect(await cache.stats()).toEqual({ hits: 0, misses: 3, errors: 0 });
      // Mistakes still surface without Redis.
      await expect(cache.set('k', 1, 0)).rejects.toThrow(/positive number of seconds/);
      await expect(cache.set('k', undefined)).rejects.toThrow(/JSON/);
      await cache.close();
    }
  });
});

describe('cacheKey', () => {
  const same: Array<[string, unknown, unknown]> = [
    ['key order', { a: 1, b: 2 }, { b: 2, a: 1 }],
    [
      'nested key order',
      { f: { x: [1, { p: 1, q: 2 }], y: 'z' } },
      { f: { y: 'z', x: [1, { q: 2, p: 1 }] } },
    ],
    ['undefined properties are dropped', { a: 1, b: undefined }, { a: 1 }],
    [
      'a Date is its ISO string',
      { at: new Date('2024-01-01T00:00:00Z') },
      { at: '2024-01-01T00:00:00.000Z' },
    ],
    ['no args', undefined, null],
  ];
  it.each(same)('same key: %s', (_name, a, b) => {
    expect(cacheKey('ns', a)).toBe(cacheKey('ns', b));
  });

  const different: Array<[string, unknown, unknown]> = [
    ['array order matters', [1, 2], [2, 1]],
    ['string vs number', { a: '1' }, { a: 1 }],
    ['null vs missing', { a: null }, {}],
    ['long values differ in their hash', { ids: 'x'.repeat(500) + 'a' }, { ids: 'x'.repeat(500) + 'b' }],
  ];
  it.each(different)('different keys: %s', (_name, a, b) => {
    expect(cacheKey('ns', a)).not.toBe(cacheKey('ns', b));
  });

  it('is readable when short and hashed when long', () => {
    expect(cacheKey('resources', { sub: 's1', type: 'vm' })).toBe('resources:{"sub":"s1","type":"vm"}');
    const long = cacheKey('resources', {
      ids: Array.from({ length: 100 }, (_, i) => `/subscriptions/x/resourceGroups/rg/providers/p/${i}`),
    });
    expect(long).toMatch(/^resources:#[A-Za-z0-9_-]{43}$/);
    expect(Buffer.byteLength(long)).toBeLessThan(MAX_READABLE_ARGS_BYTES);
  });

  it.each([
    ['a Map', new Map([[1, 2]])],
    ['a Set', new Set([1])],
    ['a function', { f: () => 1 }],
    ['a bigint', { n: 1n }],
    [
      'a cycle',
      (() => {
        const o: Record<string, unknown> = {};
        o.self = o;
        return o;
      })(),
    ],
  ])('refuses %s (it would collide with other args)', (_name, args) => {
    expect(() => cacheKey('ns', args)).toThrow(TypeError);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { a: 1 };
    expect(cacheKey('ns', [shared, shared])).toBe('ns:[{"a":1},{"a":1}]');
  });
});

describe('parseRedisUrl', () => {
  it.each([
    ['an http URL', 'http://cache:6379'],
    ['no scheme', 'cache:6379'],
    ['not a URL', 'not a url'],
    ['no host', 'redis://'],
    ['a port out of range', 'redis://cache:99999'],
    ['a path that is not a db number', 'redis://cache:6379/zero'],
    ['an unencoded "/" in the password', 'rediss://:abc/def=@cache.redis.cache.windows.net:6380'],
    ['an unencoded "#" in the password', 'rediss://:abc#def@cache:6380'],
    ['a broken percent-encoding', 'redis://:pa%ZZss@cache:6379'],
  ])('refuses %s with an error naming REDIS_URL and not echoing the value', (_name, url) => {
    let error: unknown;
    try {
      parseRedisUrl(url);
    } catch (e) {
      error = e;
    }
    expect(isTopDeckError(error)).toBe(true);
    expect(isTopDeckError(error) && error.code).toBe('InvalidSetting');
    expect((error as Error).message).toMatch(/^REDIS_URL /);
    for (const secret of ['abc', 'def', 'pa%ZZss']) expect((error as Error).message).not.toContain(secret);
    expect(() => createCache({ url })).toThrow(/REDIS_URL/);
  });

  it('refuses an empty value (createCache treats a blank url as "no cache" instead)', () => {
    expect(() => parseRedisUrl('  ')).toThrow(/^REDIS_URL is not a valid Redis URL: it is empty/);
  });

  it('reads an Azure Cache for Redis URL, TLS and all, and masks the key', () => {
    const s = parseRedisUrl('rediss://:k3y%2Fwith%2Bslash%3D@topdeck.redis.cache.windows.net:6380');
    expect(s).toMatchObject({
      host: 'topdeck.redis.cache.windows.net',
      port: 6380,
      db: 0,
      tls: true,
      password: 'k3y/with+slash=',
    });
    expect(s.username).toBeUndefined();
    expect(s.redactedUrl).toBe('rediss://:***@topdeck.redis.cache.windows.net:6380');
  });

  it('reads user, IPv6 host, default port and database', () => {
    expect(parseRedisUrl('redis://app:pw@[::1]/2')).toMatchObject({
      host: '::1',
      port: 6379,
      db: 2,
      tls: false,
      username: 'app',
      password: 'pw',
      redactedUrl: 'redis://app:***@[::1]:6379/2',
    });
    expect(parseRedisUrl('REDIS://localhost')).toMatchObject({
      host: 'localhost',
      port: 6379,
      db: 0,
      tls: false,
      redactedUrl: 'redis://localhost:6379',
    });
  });
});
