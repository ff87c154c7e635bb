import { classifyError } from '../errors/classifyError';
import { TopDeckError } from '../errors/TopDeckError';
import { configurationError } from './configurationError';

export interface ParallelMapOptions {
  /** Tasks in flight at once. */
  concurrency?: number;
  /** Per task, in milliseconds: past it the task's signal aborts and a transient Timeout is recorded. */
  timeoutMs?: number;
  /** Aborts every task still running and starts no more. */
  signal?: AbortSignal;
}

export interface ParallelMapTaskContext {
  index: number;
  /** Aborted on the task's timeout or the caller's signal; tasks should pass it on. */
  signal: AbortSignal;
}

export interface ParallelMapFailure<T> {
  index: number;
  item: T;
  error: TopDeckError;
}

export interface ParallelMapResult<T, R> {
  /** In input order; undefined where the task failed. */
  results: Array<R | undefined>;
  /** In input order. */
  errors: Array<ParallelMapFailure<T>>;
}

export const parallelMapDefaults = { concurrency: 5 };

/**
 * Runs fn over items with at most `concurrency` tasks in flight. Failures are recorded, not
 * thrown, so one bad item never sinks the others; an empty input is simply an empty result.
 * A task that ignores its aborted signal keeps running in the background, but its slot is
 * released at the timeout so a hung task cannot stall the rest.
 */
export async function parallelMap<T, R>(
  items: readonly T[],
  fn: (item: T, context: ParallelMapTaskContext) => Promise<R>,
  options: ParallelMapOptions = {},
): Promise<ParallelMapResult<T, R>> {
  const concurrency = options.concurrency ?? parallelMapDefaults.concurrency;
  const { timeoutMs, signal } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw configurationError(`parallelMap option "concurrency" must be an integer >= 1, got ${concurrency}`);
  }
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    throw configurationError(`parallelMap option "timeoutMs" must be > 0 milliseconds, got ${timeoutMs}`);
  }
  const results: Array<R | undefined> = new Array<R | undefined>(items.length).fill(undefined);
  const failures: Array<ParallelMapFailure<T> | undefined> = new Array<ParallelMapFailure<T> | undefined>(
    items.length,
  ).fill(undefined);
  let nextIndex = 0;

  const runOne = async (index: number, item: T): Promise<void> => {
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    try {
      const task = Promise.resolve().then(() => fn(item, { index, signal: controller.signal }));
      const timeout =
        timeoutMs === undefined
          ? undefined
          : new Promise<never>((_, reject) => {
              timer = setTimeout(() => {
                const error = new TopDeckError({
                  code: 'Timeout',
                  message: `task ${index} did not finish within ${timeoutMs} ms`,
                  transient: true,
                });
                controller.abort(error);
                reject(error);
              }, timeoutMs);
            });
      // A task that rejects after its timeout has already been recorded; do not leave that rejection unhandled.
      task.catch(() => undefined);
      results[index] = await (timeout ? Promise.race([task, timeout]) : task);
    } catch (e) {
      failures[index] = { index, item, error: classifyError(e) };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onOuterAbort);
    }
  };

  const worker = async (): Promise<void> => {
    while (nextIndex < items.length) {
      const index = nextIndex++;
      if (signal?.aborted) {
        failures[index] = {
          index,
          item: items[index] as T,
          error: classifyError(signal.reason ?? new DOMException('aborted', 'AbortError')),
        };
        continue;
      }
      await runOne(index, items[index] as T);
    }
  };

  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { results, errors: failures.filter((f): f is ParallelMapFailure<T> => f !== undefined) };
}
