/** How the dependency rules read resources: Azure's answers vary in shape, so nothing here throws. */

/** The part of a stored resource that dependency rules read. */
export interface IndexedResource {
  id: string;
  name: string;
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
}

/** Reads a property that may be absent or of another shape (Azure's answers vary): never throws. */
export function prop(o: unknown, ...path: string[]): unknown {
  let v: unknown = o;
  for (const p of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

export function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v)
    ? v.filter((x): x is Record<string, unknown> => Boolean(x) && typeof x === 'object')
    : [];
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];
}

/** The host of a URL or of a bare host name (`host`, `host:port`); undefined when it is neither. */
export function hostOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.trim();
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return new URL(v).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
  const m = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)(:\d+)?\/?$/i.exec(v);
  return m?.[1]?.toLowerCase();
}
