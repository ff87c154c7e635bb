/**
 * Subscribes a listener; call `dispose()` to stop listening. Same shape as cockatiel's `Event<T>`,
 * so the mechanisms here can be observed the way cockatiel policies are.
 */
export type Event<T> = (listener: (data: T) => void) => { dispose(): void };

export interface Emitter<T> {
  readonly event: Event<T>;
  emit(data: T): void;
}

/**
 * A tiny event emitter for mechanisms that report instead of logging. A listener that throws is
 * ignored: telemetry must never break the call it observes.
 */
export function createEmitter<T>(): Emitter<T> {
  const listeners = new Set<(data: T) => void>();
  return {
    event: (listener) => {
      // Wrapped so the same function can subscribe twice and be disposed independently.
      const entry = (data: T): void => listener(data);
      listeners.add(entry);
      return { dispose: () => void listeners.delete(entry) };
    },
    emit: (data) => {
      for (const listener of [...listeners]) {
        try {
          listener(data);
        } catch {
          // See above: observers never break the mechanism.
        }
      }
    },
  };
}
