import { createHash } from 'node:crypto';

/**
 * Property names whose values change without the resource changing: Azure bumps them on reads or
 * on its own bookkeeping. They never make a resource "modified" (the list is the contract; the
 * docs/api.md repeats it). Matched by key name at any depth.
 */
export const VOLATILE_PROPERTY_KEYS: readonly string[] = [
  'etag',
  'changedTime',
  'lastModified',
  'lastModifiedAt',
  'lastModifiedTime',
  'lastModifiedTimeUtc',
  'lastUpdatedTime',
  'lastStatusChange',
  'resourceGuid',
  'powerState',
];

const VOLATILE = new Set(VOLATILE_PROPERTY_KEYS.map((k) => k.toLowerCase()));

/** The value with volatile keys dropped and object keys sorted, so order and noise never count. */
export function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      if (VOLATILE.has(k.toLowerCase())) continue;
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = normalise(v);
    }
    return out;
  }
  return value;
}

/** What a change compares: the fields a listing reports about a resource, normalised. */
export interface HashedContent {
  name: string;
  location: string;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
}

export function contentHash(item: HashedContent): string {
  return createHash('sha1')
    .update(
      JSON.stringify(
        normalise({ name: item.name, location: item.location, tags: item.tags, properties: item.properties }),
      ),
    )
    .digest('base64url');
}
