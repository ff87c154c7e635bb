/**
 * Resolves after `ms` milliseconds, or rejects with the signal's reason as soon as it aborts.
 * Unlike cockatiel's internal delay, an abort does not wait out the remaining backoff.
 */
/** The part of AbortSignal used here; the Azure SDK's AbortSignalLike fits it too. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

export function sleep(ms: number, signal?: AbortSignalLike): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The reason an AbortSignal carries, or a DOMException-like AbortError when it carries none. */
export function abortReason(signal: AbortSignalLike | undefined): unknown {
  if (signal?.reason !== undefined) return signal.reason;
  const error = new Error('The operation was aborted');
  error.name = 'AbortError';
  return error;
}
