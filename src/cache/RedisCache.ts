import net from 'node:net';
import { Command, Redis, type RedisOptions } from 'ioredis';
import type { Cache, CacheRead, CacheServerStats, CacheStats, ResolvedCacheOptions } from './Cache';
import { argsKeyPart, assertKey, assertNamespace, versionCounterKey, versionedEntryKey } from './cacheKey';
import { serializeCacheValue } from './cacheValue';
import { ConnectionHealth } from './ConnectionHealth';
import { describeRedisError, type RedisErrorContext } from './describeRedisError';
import {
  compressJson,
  decompressJson,
  isLargeValue,
  LARGE_VALUE_KEY_SUFFIX,
  largeValueMarker,
  largeValueTimeoutMs,
  parseLargeValueMarker,
} from './largeValue';
import { BUMP_VERSION_LUA, INIT_VERSION_LUA, parseVersion, UNKNOWN_VERSION } from './namespaceVersion';
import type { RedisUrlSettings } from './parseRedisUrl';
import { reconnectDelayMs } from './reconnectDelayMs';
import { redisTokenAuth, type RedisTokenAuthOptions, type RedisTokenSession } from './redisTokenAuth';
import { resolveTtlMs } from './resolveTtl';

/** Keys asked of SCAN per call by clear(); each batch is removed with one UNLINK. */
export const CLEAR_SCAN_BATCH = 1000;

type Attempt<T> = { ok: true; value: T } | { ok: false };
const FAILED: Attempt<never> = { ok: false };
const MISS: CacheRead<never> = { hit: false };

/** A large value's compressed bytes outlive its marker by this much, so a marker never points at an expired blob. */
const LARGE_VALUE_TTL_MARGIN_MS = 1_000;

/**
 * Socket with commands waiting and no byte received for this long is presumed dead
 * and dropped, in milliseconds: without it a silently black-holed connection (a
 * failover, a NAT timeout) would make every call wait commandTimeoutMs until TCP
 * gives up, which on Linux takes many minutes.
 */
function socketTimeoutMsFor(commandTimeoutMs: number): number {
  return Math.max(1000, commandTimeoutMs * 20);
}

/**
 * The Redis-backed cache. The client is built so that Redis being down is cheap
 * and never permanent: no offline queue (a command while disconnected fails at
 * once), tight connect and command timeouts, no per-command retries, and a
 * reconnect strategy that never gives up (backoff capped at 1 s).
 */
export class RedisCache implements Cache {
  readonly enabled = true;
  private readonly client: Redis;
  private readonly health: ConnectionHealth;
  private readonly prefix: string;
  private hits = 0;
  private misses = 0;
  private errors = 0;
  private closed = false;
  /** Settles on the first ready / error / end: calls made before it wait (up to connectTimeoutMs) instead of missing. */
  private readonly firstAttempt: Promise<void>;
  private firstAttemptSettled = false;
  private settleFirstAttempt: () => void = () => {};
  /** The last connection-level error, to say WHY in the outage log rather than "not connected". */
  private lastConnectionError: unknown;
  /** Namespaces whose bumpVersion could not be written yet; their cache is skipped until it is. */
  private readonly pendingBumps = new Set<string>();
  private flushingBumps = false;
  private warnedUnreadable = false;
  private readonly warnedUnstorable = new Set<string>();
  private readonly tokenSession: RedisTokenSession | undefined;

  constructor(
    private readonly settings: RedisUrlSettings,
    private readonly options: ResolvedCacheOptions,
    tokenAuth?: Pick<RedisTokenAuthOptions, 'credential' | 'scope'>,
  ) {
    this.prefix = options.prefix;
    const socketTimeoutMs = socketTimeoutMsFor(options.commandTimeoutMs);
    const errorContext: RedisErrorContext = {
      target: settings.redactedUrl,
      host: settings.host,
      connectTimeoutMs: options.connectTimeoutMs,
      commandTimeoutMs: options.commandTimeoutMs,
      socketTimeoutMs,
      tokenAuth: tokenAuth !== undefined,
    };
    this.health = new ConnectionHealth({
      logger: options.logger,
      describe: (error) => describeRedisError(error, errorContext),
      fields: { redis: settings.redactedUrl },
    });
    const redisOptions: RedisOptions = {
      host: settings.host,
      port: settings.port,
      db: settings.db,
      lazyConnect: true,
      enableOfflineQueue: false,
      connectTimeout: options.connectTimeoutMs,
      commandTimeout: options.commandTimeoutMs,
      socketTimeout: socketTimeoutMs,
      maxRetriesPerRequest: 0,
      // A cache write that timed out must not be replayed after a reconnect, possibly over a newer value.
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt) => reconnectDelayMs(attempt),
      connectionName: 'topdeck-cache',
    };
    if (settings.username !== undefined) redisOptions.username = settings.username;
    if (settings.password !== undefined) redisOptions.password = settings.password;
    // SNI needs a host name; Node rejects an IP address as servername.
    if (settings.tls) redisOptions.tls = net.isIP(settings.host) ? {} : { servername: settings.host };
    this.client = new Redis(redisOptions);

    this.firstAttempt = new Promise<void>((resolve) => {
      this.settleFirstAttempt = resolve;
    }).then(() => {
      this.firstAttemptSettled = true;
    });
    this.client.on('ready', () => {
      this.settleFirstAttempt();
      this.lastConnectionError = undefined;
      this.health.succeeded();
      void this.flushPendingBumps();
    });
    this.client.on('error', (error: unknown) => {
      this.settleFirstAttempt();
      if (this.closed) return;
      this.lastConnectionError = error;
      this.health.failed(error);
    });
    this.client.on('end', () => this.settleFirstAttempt());
    // Connect now (so the first call can hit) without letting a failure escape: it is reported via 'error'.
    if (!tokenAuth) {
      this.client.connect().catch(() => {});
      return;
    }
    // With Entra tokens, connect once the first token is in the options; until then calls miss.
    const session = redisTokenAuth(this.client, {
      ...tokenAuth,
      ...(settings.username !== undefined ? { username: settings.username } : {}),
      logger: options.logger,
      onError: (error) => {
        this.settleFirstAttempt();
        if (this.closed) return;
        this.lastConnectionError = error;
        this.health.failed(error);
      },
    });
    this.tokenSession = session;
    void session.ready.then(() => {
      if (!this.closed) this.client.connect().catch(() => {});
    });
  }

  async get<T>(key: string): Promise<CacheRead<T>> {
    assertKey(key);
    return this.read<T>(this.prefix + key);
  }

  async set<T>(key: string, value: T, ttlSeconds?: number | null): Promise<void> {
    assertKey(key);
    const ttlMs = resolveTtlMs(ttlSeconds, this.options.defaultTtlSeconds);
    await this.write(this.prefix + key, serializeCacheValue(value), ttlMs);
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    const fullKey = this.prefix + key;
    await this.attempt((c) => c.unlink(fullKey, fullKey + LARGE_VALUE_KEY_SUFFIX));
  }

  async clear(pattern: string): Promise<number> {
    assertKey(pattern);
    const match = escapeGlob(this.prefix) + pattern;
    let cursor = '0';
    let removed = 0;
    do {
      const from = cursor;
      const page = await this.attempt((c) => c.scan(from, 'MATCH', match, 'COUNT', CLEAR_SCAN_BATCH));
      if (!page.ok) return removed;
      const [next, keys] = page.value;
      cursor = next;
      if (keys.length > 0) {
        const unlinked = await this.attempt((c) => c.unlink(...keys));
        if (!unlinked.ok) return removed;
        removed += unlinked.value;
      }
    } while (cursor !== '0');
    return removed;
  }

  async cached<T>(
    namespace: string,
    args: unknown,
    compute: () => Promise<T>,
    ttlSeconds?: number | null,
  ): Promise<T> {
    assertNamespace(namespace);
    const ttlMs = resolveTtlMs(ttlSeconds, this.options.defaultTtlSeconds);
    const part = argsKeyPart(args);
    const version = await this.readVersion(namespace);
    if (version === undefined) {
      // Unknown version: a guessed one could serve entries an unseen bumpVersion invalidated.
      this.misses++;
      return compute();
    }
    const fullKey = this.prefix + versionedEntryKey(namespace, version, part);
    const found = await this.read<T>(fullKey);
    if (found.hit) return found.value;
    const value = await compute();
    if (value !== undefined) {
      let json: string | undefined;
      try {
        json = serializeCacheValue(value);
      } catch (error) {
        if (!this.warnedUnstorable.has(namespace)) {
          this.warnedUnstorable.add(namespace);
          this.options.logger.warn(
            'cached(): a computed value cannot be stored as JSON, so it is never cached',
            {
              namespace,
              error,
            },
          );
        }
      }
      if (json !== undefined) await this.write(fullKey, json, ttlMs);
    }
    return value;
  }

  async version(namespace: string): Promise<number> {
    assertNamespace(namespace);
    return (await this.readVersion(namespace)) ?? UNKNOWN_VERSION;
  }

  async bumpVersion(namespace: string): Promise<number> {
    assertNamespace(namespace);
    const bumped = await this.writeBump(namespace);
    if (bumped !== undefined) return bumped;
    if (!this.closed) this.pendingBumps.add(namespace);
    return UNKNOWN_VERSION;
  }

  async stats(): Promise<CacheStats> {
    const counters = { hits: this.hits, misses: this.misses, errors: this.errors };
    const reply = await this.attempt((c) => Promise.all([c.dbsize(), c.info()]), { counted: false });
    if (!reply.ok) return counters;
    const [keys, info] = reply.value;
    const server: CacheServerStats = { keys };
    const fields = parseInfo(info);
    const usedMemory = fields.get('used_memory');
    const keyspaceHits = fields.get('keyspace_hits');
    const keyspaceMisses = fields.get('keyspace_misses');
    if (usedMemory !== undefined) server.usedMemoryBytes = usedMemory;
    if (keyspaceHits !== undefined) server.keyspaceHits = keyspaceHits;
    if (keyspaceMisses !== undefined) server.keyspaceMisses = keyspaceMisses;
    return { ...counters, server };
  }

  async ping(): Promise<boolean> {
    const reply = await this.attempt((c) => c.ping(), { counted: false });
    return reply.ok && reply.value === 'PONG';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tokenSession?.stop();
    this.settleFirstAttempt();
    if (this.pendingBumps.size > 0) {
      this.options.logger.warn(
        'Redis cache closed with version bumps not yet written; entries of these namespaces may be served until they expire',
        {
          redis: this.settings.redactedUrl,
          namespaces: [...this.pendingBumps],
        },
      );
    }
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
      } catch {
        // Disconnected below in any case.
      }
    }
    this.client.disconnect();
  }

  private async read<T>(fullKey: string): Promise<CacheRead<T>> {
    const reply = await this.attempt((c) => c.get(fullKey));
    if (!reply.ok || reply.value === null) {
      this.misses++;
      return MISS;
    }
    let json: string | undefined = reply.value;
    const compressedBytes = parseLargeValueMarker(json);
    if (compressedBytes !== undefined) {
      json = await this.readLarge(fullKey, compressedBytes);
      if (json === undefined) {
        this.misses++;
        return MISS;
      }
    }
    try {
      const value = JSON.parse(json) as T;
      this.hits++;
      return { hit: true, value };
    } catch (error) {
      this.errors++;
      this.misses++;
      this.warnUnreadable(fullKey, error);
      return MISS;
    }
  }

  /** A large value's JSON from its compressed bytes (see largeValue.ts), or undefined: gone, too slow, or unreadable. */
  private async readLarge(fullKey: string, compressedBytes: number): Promise<string | undefined> {
    const timeoutMs = largeValueTimeoutMs(this.options.commandTimeoutMs, compressedBytes);
    const reply = await this.attempt((c) =>
      sendWithTimeout<Buffer | null>(c, 'get', [fullKey + LARGE_VALUE_KEY_SUFFIX], timeoutMs, null),
    );
    // Evicted or expired apart from its marker: a miss, never a wrong value.
    if (!reply.ok || reply.value === null) return undefined;
    try {
      return await decompressJson(reply.value);
    } catch (error) {
      this.errors++;
      this.warnUnreadable(fullKey + LARGE_VALUE_KEY_SUFFIX, error);
      return undefined;
    }
  }

  private warnUnreadable(fullKey: string, error: unknown): void {
    if (this.warnedUnreadable) return;
    this.warnedUnreadable = true;
    this.options.logger.warn(
      'Redis cache holds a value that is not JSON; treated as a miss (written by something else under the same prefix?)',
      {
        key: fullKey,
        error,
      },
    );
  }

  /**
   * Stores JSON under fullKey. A large value goes compressed to fullKey + ':gz' first, with a
   * timeout for its size, then its marker to fullKey: a reader never finds a marker before
   * its bytes. A small value also removes a large one the key held before, in the same round
   * trip: a pipeline, not MULTI, as the two keys may sit in different hash slots (Azure Managed
   * Redis is clustered; only a few multi-key commands, UNLINK among them, may span slots).
   */
  private async write(fullKey: string, json: string, ttlMs: number | null): Promise<void> {
    const largeKey = fullKey + LARGE_VALUE_KEY_SUFFIX;
    if (!isLargeValue(json)) {
      await this.attempt(async (c) => {
        const pipeline = c.pipeline();
        if (ttlMs === null) pipeline.set(fullKey, json);
        else pipeline.set(fullKey, json, 'PX', ttlMs);
        const replies = await pipeline.unlink(largeKey).exec();
        const failed = replies?.find(([error]) => error !== null)?.[0];
        if (failed) throw failed;
      });
      return;
    }
    const compressed = await compressJson(json);
    const timeoutMs = largeValueTimeoutMs(this.options.commandTimeoutMs, compressed.length);
    const expiry = ttlMs === null ? [] : ['PX', String(ttlMs + LARGE_VALUE_TTL_MARGIN_MS)];
    const stored = await this.attempt((c) =>
      sendWithTimeout<string>(c, 'set', [largeKey, compressed, ...expiry], timeoutMs, 'utf8'),
    );
    if (!stored.ok) return;
    const marker = largeValueMarker(compressed.length);
    await this.attempt((c) =>
      ttlMs === null ? c.set(fullKey, marker) : c.set(fullKey, marker, 'PX', ttlMs),
    );
  }

  private async readVersion(namespace: string): Promise<number | undefined> {
    // Redis still holds the version from before a bump we could not write: it must not be used.
    if (this.pendingBumps.has(namespace)) return undefined;
    const key = this.prefix + versionCounterKey(namespace);
    const reply = await this.attempt(
      async (c) => (await c.get(key)) ?? (await c.eval(INIT_VERSION_LUA, 1, key)),
    );
    if (!reply.ok) return undefined;
    const version = parseVersion(reply.value);
    if (version === undefined) this.errors++;
    return version;
  }

  private async writeBump(namespace: string): Promise<number | undefined> {
    const key = this.prefix + versionCounterKey(namespace);
    const reply = await this.attempt((c) => c.eval(BUMP_VERSION_LUA, 1, key));
    if (!reply.ok) return undefined;
    const version = parseVersion(reply.value);
    if (version === undefined) {
      this.errors++;
      return undefined;
    }
    this.pendingBumps.delete(namespace);
    return version;
  }

  private async flushPendingBumps(): Promise<void> {
    if (this.flushingBumps || this.closed) return;
    this.flushingBumps = true;
    try {
      for (const namespace of [...this.pendingBumps]) {
        if ((await this.writeBump(namespace)) === undefined) return;
        this.options.logger.info('Redis cache: applied a version bump that was pending during the outage', {
          namespace,
        });
      }
    } finally {
      this.flushingBumps = false;
    }
  }

  /**
   * Runs one Redis operation, turning every failure into `{ ok: false }`: counted
   * (unless `counted` is false), fed to the outage log, never thrown. While the
   * very first connection attempt is under way, waits for it (at most
   * connectTimeoutMs); afterwards a disconnected client fails at once.
   */
  private async attempt<T>(run: (client: Redis) => Promise<T>, { counted = true } = {}): Promise<Attempt<T>> {
    if (this.closed) return FAILED;
    if (this.client.status !== 'ready' && !this.firstAttemptSettled) await this.waitForFirstAttempt();
    if (this.closed) return FAILED;
    if (this.client.status !== 'ready') {
      if (counted) this.errors++;
      this.health.failed(this.lastConnectionError ?? new Error('Redis is not connected'));
      return FAILED;
    }
    try {
      const value = await run(this.client);
      this.health.succeeded();
      if (this.pendingBumps.size > 0) void this.flushPendingBumps();
      return { ok: true, value };
    } catch (error) {
      if (this.closed) return FAILED;
      if (counted) this.errors++;
      this.health.failed(error);
      return FAILED;
    }
  }

  private async waitForFirstAttempt(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.firstAttempt,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.options.connectTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}

/**
 * Sends one command with its own timeout instead of commandTimeoutMs: a command keeps the first
 * timeout set on it, and sendCommand only sets commandTimeoutMs on one that has none.
 */
function sendWithTimeout<T>(
  client: Redis,
  name: string,
  args: Array<string | Buffer>,
  timeoutMs: number,
  replyEncoding: BufferEncoding | null,
): Promise<T> {
  const command = new Command(name, args, { replyEncoding });
  command.setTimeout(timeoutMs);
  return client.sendCommand(command) as Promise<T>;
}

/** Escapes Redis glob characters so that the prefix matches itself only. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Numeric `name:value` lines of an INFO reply. */
function parseInfo(info: unknown): Map<string, number> {
  const fields = new Map<string, number>();
  const text = typeof info === 'string' ? info : Buffer.isBuffer(info) ? info.toString('utf8') : '';
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const value = Number(line.slice(colon + 1));
    if (Number.isFinite(value)) fields.set(line.slice(0, colon), value);
  }
  return fields;
}
