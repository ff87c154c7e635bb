import { TopDeckError, isTopDeckError } from './TopDeckError';

/** Network error codes that mean "try again", whatever layer raised them. */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'ENOTFOUND',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'REQUEST_SEND_ERROR',
]);

const RETRY_AFTER_HEADERS = ['retry-after-ms', 'x-ms-retry-after-ms', 'retry-after'] as const;

type HeaderBag = { get?(name: string): string | undefined | null } | Record<string, unknown> | undefined;

function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as { get(name: string): string | undefined | null }).get(name);
    return v ?? undefined;
  }
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === name && typeof v === 'string') return v;
  }
  return undefined;
}

/**
 * Parses the server's "wait this long" hint, in milliseconds. `Retry-After` may be
 * seconds or an HTTP date; `retry-after-ms` / `x-ms-retry-after-ms` are milliseconds.
 * A missing or malformed value gives undefined, never an exception.
 */
export function parseRetryAfterMs(headers: HeaderBag, now: number = Date.now()): number | undefined {
  for (const name of RETRY_AFTER_HEADERS) {
    const raw = readHeader(headers, name)?.trim();
    if (!raw) continue;
    if (/^\d+(\.\d+)?$/.test(raw)) {
      const n = Number(raw);
      return name === 'retry-after' ? Math.round(n * 1000) : Math.round(n);
    }
    if (name === 'retry-after') {
      const at = Date.parse(raw);
      if (!Number.isNaN(at)) return Math.max(0, at - now);
    }
  }
  return undefined;
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

interface ErrorLike {
  name?: string;
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  message?: unknown;
  response?: { status?: number; headers?: HeaderBag };
  cause?: unknown;
}

/**
 * Turns anything thrown into a TopDeckError, deciding once whether it is transient
 * (429, 408, 5xx, timeouts, connection resets) or permanent (400, 401, 403, 404, ...).
 */
export function classifyError(error: unknown, context?: string): TopDeckError {
  if (isTopDeckError(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as ErrorLike;
  const status =
    typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : e.response?.status;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const rawMessage = typeof e.message === 'string' ? e.message : String(error);
  const message = context ? `${context}: ${rawMessage}` : rawMessage;
  const retryAfterMs = parseRetryAfterMs(e.response?.headers);

  if (status !== undefined) {
    return new TopDeckError({
      code: code ?? `Http${status}`,
      message,
      transient: isTransientStatus(status),
      statusCode: status,
      retryAfterMs,
      cause: error,
    });
  }
  const causeCode =
    typeof (e.cause as ErrorLike | undefined)?.code === 'string' ? ((e.cause as ErrorLike).code as string) : undefined;
  const networkCode = [code, causeCode].find((c) => c !== undefined && TRANSIENT_NETWORK_CODES.has(c));
  const aborted = e.name === 'AbortError' || e.name === 'TimeoutError';
  if (networkCode || aborted) {
    return new TopDeckError({
      code: networkCode ?? 'Timeout',
      message,
      transient: true,
      retryAfterMs,
      cause: error,
    });
  }
  return new TopDeckError({ code: code ?? 'UnexpectedError', message, transient: false, cause: error });
}
