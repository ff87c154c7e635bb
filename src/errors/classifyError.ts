import { TopDeckError, isTopDeckError } from './TopDeckError';

/** Network error codes that mean "try again", whatever layer raised them (Node, undici, the Azure SDK). */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ESOCKETTIMEDOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'REQUEST_SEND_ERROR',
]);

/** Error names that mean the call was cut short by a deadline or an abort: worth another try later. */
const TIMEOUT_NAMES = new Set([
  'AbortError',
  'TimeoutError',
  'ConnectTimeoutError',
  'HeadersTimeoutError',
  'BodyTimeoutError',
]);

/** Names of errors raised by input validation (zod, our own): the caller must fix the input. */
const VALIDATION_NAMES = new Set(['ZodError', 'ValidationError']);

/** Checked in this order: the millisecond headers are more precise than `Retry-After`. */
const RETRY_AFTER_HEADERS = ['retry-after-ms', 'x-ms-retry-after-ms', 'retry-after'] as const;

/**
 * Anything that carries response headers: core-rest-pipeline `HttpHeaders`, fetch `Headers`
 * (both have `get`), or a plain object such as Node's `IncomingHttpHeaders`.
 */
export type HeaderBag =
  { get?(name: string): string | undefined | null } | Record<string, unknown> | undefined | null;

function readHeader(headers: HeaderBag, name: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  try {
    if (typeof (headers as { get?: unknown }).get === 'function') {
      const v = (headers as { get(name: string): string | undefined | null }).get(name);
      return typeof v === 'string' ? v : undefined;
    }
    for (const [k, v] of Object.entries(headers)) {
      if (k.toLowerCase() !== name) continue;
      if (typeof v === 'string') return v;
      if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
    }
  } catch {
    // A hostile or broken header object must not turn a retry decision into a crash.
  }
  return undefined;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const IMF_FIXDATE = /^[A-Za-z]{3},\s+(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+GMT$/;
const RFC_850 = /^[A-Za-z]{6,9},\s+(\d{1,2})-([A-Za-z]{3})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})\s+GMT$/;
const ASCTIME = /^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})$/;

/**
 * Parses the three HTTP-date forms of RFC 9110 (IMF-fixdate, RFC 850, asctime) as UTC, in epoch
 * milliseconds. `Date.parse` alone is too lenient ("foo 1" is a date to V8) and reads asctime as
 * local time.
 */
function parseHttpDate(raw: string): number | undefined {
  let day: string | undefined;
  let mon: string | undefined;
  let year: number;
  let hms: Array<string | undefined>;
  let m = IMF_FIXDATE.exec(raw);
  if (m) {
    [day, mon] = [m[1], m[2]];
    year = Number(m[3]);
    hms = [m[4], m[5], m[6]];
  } else if ((m = RFC_850.exec(raw))) {
    [day, mon] = [m[1], m[2]];
    const yy = Number(m[3]);
    year = yy < 70 ? 2000 + yy : 1900 + yy;
    hms = [m[4], m[5], m[6]];
  } else if ((m = ASCTIME.exec(raw))) {
    [mon, day] = [m[1], m[2]];
    year = Number(m[6]);
    hms = [m[3], m[4], m[5]];
  } else {
    return undefined;
  }
  const month = MONTHS.indexOf((mon ?? '').toLowerCase());
  const [d, h, min, s] = [Number(day), Number(hms[0]), Number(hms[1]), Number(hms[2])];
  if (month < 0 || d < 1 || d > 31 || h > 23 || min > 59 || s > 60) return undefined;
  return Date.UTC(year, month, d, h, min, s);
}

/**
 * Parses the server's "wait this long" hint, in milliseconds. `Retry-After` may be
 * seconds or an HTTP date; `retry-after-ms` / `x-ms-retry-after-ms` are milliseconds.
 * A missing or malformed value gives undefined, never an exception; a date in the past gives 0.
 */
export function parseRetryAfterMs(headers: HeaderBag, now: number = Date.now()): number | undefined {
  for (const name of RETRY_AFTER_HEADERS) {
    const raw = readHeader(headers, name)?.trim();
    if (!raw) continue;
    if (/^\d+(\.\d+)?$/.test(raw)) {
      const n = Number(raw);
      if (!Number.isFinite(n)) continue;
      return name === 'retry-after' ? Math.round(n * 1000) : Math.round(n);
    }
    if (name === 'retry-after') {
      const at = parseHttpDate(raw);
      if (at !== undefined) return Math.max(0, at - now);
    }
  }
  return undefined;
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  status?: unknown;
  message?: unknown;
  headers?: HeaderBag;
  response?: { status?: unknown; headers?: HeaderBag } | null;
  cause?: unknown;
  errors?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | undefined {
  return typeof value === 'object' && value !== null ? (value as ErrorLike) : undefined;
}

function httpStatus(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599
    ? value
    : undefined;
}

/**
 * The error itself, its `cause` chain and the members of an AggregateError (Node reports a
 * refused dual-stack connect that way), bounded so a cyclic cause cannot loop.
 */
function errorChain(error: ErrorLike): ErrorLike[] {
  const out: ErrorLike[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 8) {
    const e = asErrorLike(queue.shift());
    if (!e || out.includes(e)) continue;
    out.push(e);
    if (e.cause !== undefined) queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...e.errors.slice(0, 4));
  }
  return out;
}

/**
 * Turns anything thrown into a TopDeckError, deciding once whether it is transient
 * (429, 408, 5xx, timeouts, connection resets) or permanent (400, 401, 403, 404, 409,
 * validation errors, anything unrecognised). Handles Azure SDK `RestError` (statusCode,
 * code, response.headers with `get`), undici/`fetch` errors (code on the cause) and
 * Node system errors. A TopDeckError passes through unchanged.
 */
export function classifyError(error: unknown, context?: string): TopDeckError {
  if (isTopDeckError(error)) return error;
  const e = asErrorLike(error) ?? { message: String(error) };
  const status = httpStatus(e.statusCode) ?? httpStatus(e.status) ?? httpStatus(e.response?.status);
  const code = typeof e.code === 'string' && e.code !== '' ? e.code : undefined;
  const rawMessage = typeof e.message === 'string' && e.message !== '' ? e.message : String(error);
  const message = context ? `${context}: ${rawMessage}` : rawMessage;
  const retryAfterMs = parseRetryAfterMs(e.response?.headers ?? e.headers);

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
  const chain = errorChain(e);
  const networkCode = chain
    .map((c) => (typeof c.code === 'string' ? c.code : undefined))
    .find((c) => c !== undefined && TRANSIENT_NETWORK_CODES.has(c));
  const timedOut = chain.some((c) => typeof c.name === 'string' && TIMEOUT_NAMES.has(c.name));
  if (networkCode || timedOut) {
    return new TopDeckError({
      code: networkCode ?? 'Timeout',
      message,
      transient: true,
      retryAfterMs,
      cause: error,
    });
  }
  if (typeof e.name === 'string' && VALIDATION_NAMES.has(e.name)) {
    return new TopDeckError({
      code: 'ValidationError',
      message,
      transient: false,
      statusCode: 400,
      cause: error,
    });
  }
  return new TopDeckError({ code: code ?? 'UnexpectedError', message, transient: false, cause: error });
}
