import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Stores a JSON value in Table columns without ever cutting it. Table Storage limits a
 * string property to 64 KiB (32K UTF-16 characters) and an entity to 1 MiB: short JSON
 * goes in one readable string column `<name>`; longer JSON is gzipped into binary
 * chunk columns `<name>Gz0`, `<name>Gz1`, ... of at most 60,000 bytes each.
 */
const MAX_INLINE_CHARS = 30_000;
const CHUNK_BYTES = 60_000;

export function writeJsonColumns(name: string, value: unknown): Record<string, string | Uint8Array | number> {
  const json = JSON.stringify(value ?? null);
  if (json.length <= MAX_INLINE_CHARS) return { [name]: json };
  const gz = gzipSync(Buffer.from(json, 'utf8'));
  const out: Record<string, string | Uint8Array | number> = {
    [`${name}GzChunks`]: Math.ceil(gz.length / CHUNK_BYTES),
  };
  for (let i = 0, n = 0; i < gz.length; i += CHUNK_BYTES, n++) {
    out[`${name}Gz${n}`] = new Uint8Array(gz.subarray(i, i + CHUNK_BYTES));
  }
  return out;
}

export function readJsonColumns<T>(name: string, entity: Record<string, unknown>, fallback: T): T {
  const inline = entity[name];
  if (typeof inline === 'string') return JSON.parse(inline) as T;
  const chunks = Number(entity[`${name}GzChunks`] ?? 0);
  if (!chunks) return fallback;
  const parts: Buffer[] = [];
  for (let i = 0; i < chunks; i++) {
    const part = entity[`${name}Gz${i}`];
    if (!(part instanceof Uint8Array))
      throw new Error(`column ${name}Gz${i} is missing: the stored entity is incomplete`);
    parts.push(Buffer.from(part));
  }
  return JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8')) as T;
}
