/** Readers for Kubernetes objects of any shape (typed client models or raw JSON): never throw. */
export type KubernetesObject = Record<string, unknown>;

export function rec(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.map(rec) : [];
}

export function text(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** String values of a map (labels, annotations, selectors); anything else dropped. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(rec(v))) if (typeof x === 'string') out[k] = x;
  return out;
}

export function metadataOf(o: KubernetesObject): {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  ownerReferences: Array<{ kind: string; name: string; controller: boolean }>;
} {
  const m = rec(o.metadata);
  return {
    name: text(m.name) ?? '',
    ...(text(m.namespace) ? { namespace: text(m.namespace) } : {}),
    labels: stringMap(m.labels),
    annotations: stringMap(m.annotations),
    ownerReferences: list(m.ownerReferences).map((r) => ({
      kind: text(r.kind) ?? '',
      name: text(r.name) ?? '',
      controller: r.controller === true,
    })),
  };
}
