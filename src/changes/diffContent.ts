import { normalise, type HashedContent } from './contentHash';

export interface ChangedPath {
  /** Dotted path: `properties.vmSize`, `tags.owner`, `properties.dataDisks[1].sizeGB`. */
  path: string;
  old?: unknown;
  new?: unknown;
  /** The values were left out: the path's name says it could hold a secret. */
  redacted?: true;
}

/** Names that could hold a secret: the change keeps the path, never the values. */
const SECRET_NAME = /password|secret|token|key$|^keys$|sas|sig$|connectionstring|credential|^pat$/i;

const isObject = (v: unknown): v is Record<string, unknown> =>
  Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function walk(path: string, a: unknown, b: unknown, out: ChangedPath[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      walk(`${path}.${k}`, a[k], b[k], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => walk(`${path}[${i}]`, x, b[i], out));
    return;
  }
  const secret = path.split(/[.[\]]/).some((segment) => SECRET_NAME.test(segment));
  out.push(secret ? { path, redacted: true } : { path, old: a, new: b });
}

/** The paths whose values differ between two versions of a resource (volatile keys ignored). */
export function diffContent(before: HashedContent, after: HashedContent): ChangedPath[] {
  const out: ChangedPath[] = [];
  const a = normalise(before) as Record<string, unknown>;
  const b = normalise(after) as Record<string, unknown>;
  for (const top of ['name', 'location', 'tags', 'properties']) walk(top, a[top], b[top], out);
  return out;
}
