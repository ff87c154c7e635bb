import { promisify } from 'node:util';
import zlib from 'node:zlib';

/**
 * How the cache stores a large value. A value whose JSON is over LARGE_VALUE_BYTES is written
 * gzipped under `<entry key>:gz`, and the entry key itself holds a short marker naming the
 * compressed size. Why: one command's reply must arrive within commandTimeoutMs (50 ms by
 * default), so that a Redis that stopped answering costs little; a 12 MB graph answer (10,000
 * resources) did not, on a busy machine: its SET and its GET both timed out, every read missed
 * and every request recomputed it from the tables. Now the marker is read with the usual
 * timeout, and the compressed bytes (about 1/25 of the JSON for the graph) with a timeout that
 * grows with their known size. A Redis that does not answer still costs about commandTimeoutMs:
 * the marker's read fails first.
 */

/** JSON longer than this, in bytes, is stored compressed under a separate key. */
export const LARGE_VALUE_BYTES = 64 * 1024;

/** Suffix of the key holding a large value's compressed bytes, after the entry's full key. */
export const LARGE_VALUE_KEY_SUFFIX = ':gz';

/**
 * The slowest transfer a large value's read or write is given time for, in bytes per
 * millisecond (2 MB/s), on top of commandTimeoutMs: a 500 KB compressed graph gets 250 ms more.
 */
export const LARGE_VALUE_MIN_BYTES_PER_MS = 2_000;

/**
 * Starts the marker: a NUL, which no JSON text starts with, so a reader that does not know the
 * marker (an older version) takes it for an unreadable value, which reads as a miss.
 */
const MARKER_PREFIX = '\u0000topdeck-gz:';

/** gzip level: 3 packs the graph answer about 27 times in ~60 ms per 12 MB; 6 packs more but takes ~2.5 times as long. */
const GZIP_LEVEL = 3;

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

export function isLargeValue(json: string): boolean {
  // Cheap test first: a UTF-8 byte is at least one UTF-16 unit's worth.
  return json.length > LARGE_VALUE_BYTES || Buffer.byteLength(json, 'utf8') > LARGE_VALUE_BYTES;
}

/** The marker stored under the entry key for a value of `compressedBytes` stored at its `:gz` key. */
export function largeValueMarker(compressedBytes: number): string {
  return `${MARKER_PREFIX}${compressedBytes}`;
}

/** The compressed size a marker names, or undefined when `text` is not a marker. */
export function parseLargeValueMarker(text: string): number | undefined {
  if (!text.startsWith(MARKER_PREFIX)) return undefined;
  const bytes = Number(text.slice(MARKER_PREFIX.length));
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}

/** The time one command moving `bytes` is given, in milliseconds. */
export function largeValueTimeoutMs(commandTimeoutMs: number, bytes: number): number {
  return Math.ceil(commandTimeoutMs + bytes / LARGE_VALUE_MIN_BYTES_PER_MS);
}

/** Compresses off the event loop (zlib's thread pool). */
export function compressJson(json: string): Promise<Buffer> {
  return gzip(Buffer.from(json, 'utf8'), { level: GZIP_LEVEL });
}

export async function decompressJson(bytes: Buffer): Promise<string> {
  return (await gunzip(bytes)).toString('utf8');
}
