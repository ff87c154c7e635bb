/**
 * The one error type TopDeck raises and records. Every boundary (trigger adapter,
 * queue handler, HTTP route) turns whatever was thrown into one of these, so that
 * callers decide on `transient` rather than on string matching.
 */
export interface TopDeckErrorOptions {
  code: string;
  message: string;
  transient: boolean;
  /** HTTP status the failing call returned, when there was one. */
  statusCode?: number;
  /** How long the server asked us to wait before trying again, in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
  /** Attempts made before giving up, when a retry policy ran. */
  attempts?: number;
}

export class TopDeckError extends Error {
  readonly code: string;
  readonly transient: boolean;
  readonly statusCode?: number;
  readonly retryAfterMs?: number;
  readonly attempts?: number;

  constructor(options: TopDeckErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TopDeckError';
    this.code = options.code;
    this.transient = options.transient;
    if (options.statusCode !== undefined) this.statusCode = options.statusCode;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.attempts !== undefined) this.attempts = options.attempts;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      transient: this.transient,
      statusCode: this.statusCode,
      retryAfterMs: this.retryAfterMs,
      attempts: this.attempts,
    };
  }
}

export function isTopDeckError(value: unknown): value is TopDeckError {
  return value instanceof TopDeckError;
}

/** Input that a caller sent and must fix (HTTP 400, malformed queue message). */
export function validationError(message: string, cause?: unknown): TopDeckError {
  return new TopDeckError({ code: 'ValidationError', message, transient: false, statusCode: 400, cause });
}

export function notFoundError(message: string): TopDeckError {
  return new TopDeckError({ code: 'NotFound', message, transient: false, statusCode: 404 });
}
