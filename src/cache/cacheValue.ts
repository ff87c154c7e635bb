import { TopDeckError } from '../errors/TopDeckError';

/**
 * A value as stored in Redis: its JSON. Throws for what JSON cannot represent
 * (undefined, a function, a bigint, a cycle): storing it would read back as
 * something else. Cache `null` to remember "nothing".
 */
export function serializeCacheValue(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (cause) {
    throw new TopDeckError({
      code: 'InvalidArgument',
      message: `cache: the value cannot be stored as JSON (${(cause as Error).message})`,
      transient: false,
      cause,
    });
  }
  if (json === undefined) {
    throw new TopDeckError({
      code: 'InvalidArgument',
      message: `cache: a ${typeof value} cannot be stored as JSON; cache null to remember "nothing"`,
      transient: false,
    });
  }
  return json;
}
