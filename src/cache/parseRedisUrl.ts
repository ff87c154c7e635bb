import net from 'node:net';
import { TopDeckError } from '../errors/TopDeckError';

/** Where and how to reach Redis, from REDIS_URL. */
export interface RedisUrlSettings {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  /** True for rediss://. */
  tls: boolean;
  /** The URL with the password masked: the only form that may be logged. */
  redactedUrl: string;
}

export const DEFAULT_REDIS_PORT = 6379;

const EXPECTED =
  'expected redis://[[user]:password@]host[:port][/db], or rediss://... for TLS ' +
  '(Azure Cache for Redis: rediss://:<access key>@<name>.redis.cache.windows.net:6380); ' +
  'percent-encode "/", "?", "#", "@" and "%" in the password';

function invalid(reason: string): TopDeckError {
  return new TopDeckError({
    code: 'InvalidSetting',
    message: `REDIS_URL is not a valid Redis URL: ${reason}; ${EXPECTED}`,
    transient: false,
  });
}

/**
 * Parses REDIS_URL, throwing one clear error naming REDIS_URL when it is malformed.
 * The error never repeats the value (it may hold the access key).
 */
export function parseRedisUrl(url: string): RedisUrlSettings {
  if (typeof url !== 'string' || url.trim() === '') throw invalid('it is empty');
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw invalid('it cannot be parsed as a URL');
  }
  const scheme = parsed.protocol.toLowerCase();
  if (scheme !== 'redis:' && scheme !== 'rediss:') {
    throw invalid(`the scheme is "${scheme.replace(/:$/, '')}", not redis or rediss`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw invalid('it has no host');
  const port = parsed.port === '' ? DEFAULT_REDIS_PORT : Number(parsed.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw invalid('the port is not between 1 and 65535');
  const path = parsed.pathname;
  let db = 0;
  if (path !== '' && path !== '/') {
    const match = /^\/(\d{1,5})\/?$/.exec(path);
    if (!match?.[1]) throw invalid('the path must be a database number such as /0');
    db = Number(match[1]);
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw invalid(
      'query strings and fragments are not supported (a "?" or "#" in the password must be percent-encoded)',
    );
  }
  let username: string | undefined;
  let password: string | undefined;
  try {
    username = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
    password = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  } catch {
    throw invalid('the user name or password has a broken percent-encoding');
  }
  const hostInUrl = net.isIPv6(host) ? `[${host}]` : host;
  const auth =
    username !== undefined || password !== undefined
      ? `${username ?? ''}${password !== undefined ? ':***' : ''}@`
      : '';
  const settings: RedisUrlSettings = {
    host,
    port,
    db,
    tls: scheme === 'rediss:',
    redactedUrl: `${scheme}//${auth}${hostInUrl}:${port}${db === 0 ? '' : `/${db}`}`,
  };
  if (username !== undefined) settings.username = username;
  if (password !== undefined) settings.password = password;
  return settings;
}
