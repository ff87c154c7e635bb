import type { AccessToken, TokenCredential } from '@azure/identity';
import type { Redis } from 'ioredis';
import { TopDeckError } from '../errors/TopDeckError';
import type { Logger } from '../telemetry/logger';

/** Microsoft Entra scope of Azure Managed Redis (and Azure Cache for Redis) data-plane tokens. */
export const REDIS_ENTRA_SCOPE = 'https://redis.azure.com/.default';

/** Sign in to Redis with Microsoft Entra tokens instead of a password. */
export interface RedisTokenAuthOptions {
  credential: TokenCredential;
  /** Default REDIS_ENTRA_SCOPE. */
  scope?: string;
  /**
   * The Redis user name: for Azure Managed Redis the object (principal) id of the identity.
   * Absent: the `oid` claim of the token, which is that same id.
   */
  username?: string;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Told of every failure to get a token or to re-authenticate (the cache's outage log). */
  onError?: (error: unknown) => void;
  /** Longest wait before retrying a failed token request, in milliseconds. Default 30,000. */
  maxRetryDelayMs?: number;
}

export interface RedisTokenSession {
  /** Settles once the first token is in the client's options: connect after it. */
  readonly ready: Promise<void>;
  /** Stops refreshing (the client is closed separately). Idempotent. */
  stop(): void;
}

/**
 * Keeps an ioredis client signed in with short-lived Entra tokens. Azure Managed Redis closes a
 * connection whose token expires, so a token is re-sent with AUTH on the open connection before
 * that happens, while commands keep flowing (Redis runs AUTH in order with them, none fails);
 * and it is written into the client's options, which ioredis reads on every (re)connect, so a
 * reconnect authenticates with the newest token rather than the one it started with.
 */
export function redisTokenAuth(client: Redis, options: RedisTokenAuthOptions): RedisTokenSession {
  const scope = options.scope ?? REDIS_ENTRA_SCOPE;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: AccessToken | undefined;
  let failures = 0;
  let resolveReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    resolveReady = resolve;
  });

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => void refresh(), Math.max(0, delayMs));
    timer.unref();
  };

  const retryDelay = (): number => {
    failures++;
    const backoff = Math.min(maxRetryDelayMs, 250 * 2 ** Math.min(failures, 10));
    // Never wait past the current token's expiry when there is one (nor spin: at least 100 ms).
    return current
      ? Math.max(100, Math.min(backoff, (current.expiresOnTimestamp - Date.now()) / 2))
      : backoff;
  };

  const refresh = async (): Promise<void> => {
    if (stopped) return;
    let token: AccessToken | null;
    try {
      token = await options.credential.getToken(scope);
      if (!token) throw new Error('the credential returned no token');
    } catch (cause) {
      const error = new TopDeckError({
        code: 'RedisTokenUnavailable',
        message: `Could not get a Microsoft Entra token for Redis (scope ${scope}); check that the app's identity exists and AZURE_CLIENT_ID names it`,
        transient: true,
        cause,
      });
      options.onError?.(error);
      schedule(retryDelay());
      return;
    }
    if (stopped) return;
    const username = options.username ?? objectIdOf(token.token);
    if (!username) {
      options.onError?.(
        new TopDeckError({
          code: 'InvalidSetting',
          message:
            "The Entra token for Redis has no oid claim to use as the Redis user name: put the identity's object id in REDIS_URL (rediss://<object id>@host:port)",
          transient: false,
        }),
      );
      return;
    }
    const renewed = current === undefined || token.expiresOnTimestamp > current.expiresOnTimestamp;
    current = token;
    client.options.username = username;
    client.options.password = token.token;
    resolveReady();
    if (client.status === 'ready') {
      try {
        await client.auth(username, token.token);
      } catch (error) {
        // The connection is going away; the reconnect authenticates with the options set above.
        options.onError?.(error);
      }
    }
    if (renewed) failures = 0;
    // The credential may hand back its cached token until its own refresh window: ask again
    // soon rather than at once, so a token that did not change cannot spin this loop.
    schedule(renewed ? refreshDelayMs(token) : retryDelay());
  };

  void refresh();
  return {
    ready,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      resolveReady();
    },
  };
}

/**
 * When to ask for the next token, in milliseconds from now: the credential's own hint when it
 * gives one, else a quarter of the remaining lifetime before expiry, at most 5 minutes before.
 */
export function refreshDelayMs(token: AccessToken, now = Date.now()): number {
  const remaining = token.expiresOnTimestamp - now;
  const margin = Math.min(5 * 60_000, remaining / 4);
  const byExpiry = remaining - margin;
  const hint = token.refreshAfterTimestamp !== undefined ? token.refreshAfterTimestamp - now : byExpiry;
  return Math.max(0, Math.min(hint, byExpiry));
}

/** The `oid` claim of a JWT, without verifying it (Redis does that); undefined when absent. */
export function objectIdOf(jwt: string): string | undefined {
  const payload = jwt.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { oid?: unknown };
    return typeof claims.oid === 'string' && claims.oid !== '' ? claims.oid : undefined;
  } catch {
    return undefined;
  }
}
