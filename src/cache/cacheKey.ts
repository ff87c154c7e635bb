import { createHash } from 'node:crypto';

/**
 * Longest argument part kept readable in a key, in bytes of UTF-8. Longer ones are
 * replaced by `#` + the base64url SHA-256 of their JSON (JSON never starts with `#`,
 * so a hashed key cannot collide with a readable one).
 */
export const MAX_READABLE_ARGS_BYTES = 200;

/**
 * The stable key of a read-through entry: `<namespace>:<args>`, where args is the
 * JSON of `args` with object keys sorted at every depth, so `{a, b}` and `{b, a}`
 * share a key. JSON semantics otherwise (toJSON honoured, so a Date is its ISO
 * string; undefined properties dropped; non-finite numbers are null; a top-level
 * undefined is `null`). Values that JSON would silently drop or flatten into a
 * colliding key — functions, symbols, bigints, Maps, Sets, cycles — throw a TypeError.
 */
export function cacheKey(namespace: string, args: unknown): string {
  assertNamespace(namespace);
  return `${namespace}:${argsKeyPart(args)}`;
}

/**
 * The key of a read-through entry under a namespace's version:
 * `<namespace>:v<version>:<argsPart>` (argsPart from argsKeyPart). Bumping the
 * version makes every older key unreachable (they expire on their own TTL).
 */
export function versionedEntryKey(namespace: string, version: number, argsPart: string): string {
  assertNamespace(namespace);
  return `${namespace}:v${version}:${argsPart}`;
}

/** Where a namespace's version counter lives: distinct from every entry key of any namespace. */
export function versionCounterKey(namespace: string): string {
  assertNamespace(namespace);
  return `${namespace}:version`;
}

/** The args part of a key: readable JSON when short, a hash when long (see cacheKey). */
export function argsKeyPart(args: unknown): string {
  const json = stableStringify(args);
  return Buffer.byteLength(json, 'utf8') <= MAX_READABLE_ARGS_BYTES
    ? json
    : '#' + createHash('sha256').update(json, 'utf8').digest('base64url');
}

export function assertNamespace(namespace: unknown): asserts namespace is string {
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw new TypeError('cache: namespace must be a non-empty string');
  }
}

/** JSON with object keys sorted (by UTF-16 code unit, like Array#sort), see cacheKey. */
export function stableStringify(value: unknown): string {
  return encode(value, new Set(), 'args') ?? 'null';
}

function encode(input: unknown, ancestors: Set<object>, path: string): string | undefined {
  let value = input;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw new TypeError(`cacheKey: a ${typeof value} at ${path} cannot be part of a cache key`);
    default:
      break;
  }
  if (value === null) return 'null';
  const object = value as object;
  if (object instanceof Map || object instanceof Set) {
    throw new TypeError(
      `cacheKey: a ${object.constructor.name} at ${path} cannot be part of a cache key; pass an array or a plain object`,
    );
  }
  if (ancestors.has(object)) throw new TypeError(`cacheKey: circular reference at ${path}`);
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      return (
        '[' +
        object.map((item: unknown, i) => encode(item, ancestors, `${path}[${i}]`) ?? 'null').join(',') +
        ']'
      );
    }
    const record = object as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const encoded = encode(record[key], ancestors, `${path}.${key}`);
      if (encoded !== undefined) parts.push(`${JSON.stringify(key)}:${encoded}`);
    }
    return '{' + parts.join(',') + '}';
  } finally {
    ancestors.delete(object);
  }
}

/** Keys given to get/set/delete: any non-empty string (the prefix is added). */
export function assertKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0)
    throw new TypeError('cache: key must be a non-empty string');
}
