import { classifyError } from '../errors/classifyError';
import { isTopDeckError } from '../errors/TopDeckError';
import { redact, redactText } from '../telemetry/redact';

export interface ErrorTrackerOptions {
  /** Error records kept in full; counts and groups keep counting past it. */
  maxErrors?: number;
}

export interface TrackedError {
  itemId: string;
  errorType: string;
  /** Redacted: safe to log and to store in the scan record. */
  errorMessage: string;
  /** Redacted like a log line (secret-looking fields masked). */
  context?: Record<string, unknown>;
}

export interface ErrorSummary {
  total: number;
  success: number;
  failure: number;
  /** failure / total, 0 when nothing was tracked. */
  errorRate: number;
  errors: TrackedError[];
}

export interface ErrorGroup {
  errorType: string;
  count: number;
  /** The first message seen for the type, redacted. */
  sample: string;
}

/**
 * The type of an error as it should be grouped: our code (Http404, CircuitOpen, ECONNRESET, ...)
 * when we recognise it, else the error's class name (TypeError, ...).
 */
export function errorTypeOf(error: unknown): string {
  if (isTopDeckError(error)) return error.code;
  const classified = classifyError(error);
  if (classified.code !== 'UnexpectedError') return classified.code;
  if (error instanceof Error && error.name) return error.name;
  return typeof error === 'object' && error !== null ? 'UnexpectedError' : typeof error;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/**
 * Successes and failures of a batch of items (pages, repositories, resources): totals, an error
 * rate, the first maxErrors failures in full and every failure grouped by type. Messages are
 * redacted on the way in, so nothing stored from here can leak a secret.
 */
export class ErrorTracker {
  readonly #maxErrors: number;
  #success = 0;
  #failure = 0;
  readonly #errors: TrackedError[] = [];
  readonly #groups = new Map<string, ErrorGroup>();

  constructor(options: ErrorTrackerOptions = {}) {
    this.#maxErrors = Math.max(0, options.maxErrors ?? 100);
  }

  success(_itemId?: string): void {
    this.#success += 1;
  }

  failure(itemId: string, error: unknown, context?: Record<string, unknown>): void {
    this.#failure += 1;
    const errorType = errorTypeOf(error);
    const errorMessage = redactText(messageOf(error));
    const group = this.#groups.get(errorType);
    if (group) group.count += 1;
    else this.#groups.set(errorType, { errorType, count: 1, sample: errorMessage });
    if (this.#errors.length < this.#maxErrors) {
      this.#errors.push(
        context === undefined
          ? { itemId, errorType, errorMessage }
          : { itemId, errorType, errorMessage, context: redact(context) as Record<string, unknown> },
      );
    }
  }

  summary(): ErrorSummary {
    const total = this.#success + this.#failure;
    return {
      total,
      success: this.#success,
      failure: this.#failure,
      errorRate: total === 0 ? 0 : this.#failure / total,
      errors: this.#errors.map((e) => ({ ...e })),
    };
  }

  /** Failures by type, most frequent first (ties by type name), at most `cap` groups. */
  groupedSummary(cap = 20): ErrorGroup[] {
    return [...this.#groups.values()]
      .sort((a, b) => b.count - a.count || a.errorType.localeCompare(b.errorType))
      .slice(0, Math.max(0, cap))
      .map((g) => ({ ...g }));
  }

  /** "Everything failed": some failures and not a single success (an empty batch is not a failure). */
  shouldRaiseAllFailed(): boolean {
    return this.#failure > 0 && this.#success === 0;
  }
}
