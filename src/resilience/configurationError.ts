import { TopDeckError } from '../errors/TopDeckError';

/**
 * A policy was built with options that cannot work (attempts < 1, a zero capacity, ...). Thrown at
 * construction, never at call time, and naming the option to change.
 */
export function configurationError(message: string): TopDeckError {
  return new TopDeckError({ code: 'InvalidConfiguration', message, transient: false });
}
