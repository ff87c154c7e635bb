import { createHash } from 'node:crypto';

/**
 * Which rows a page listed, kept on its page marker so that finalize can tell what Azure no
 * longer has without every page rewriting every row: 6 bytes of SHA-1 per RowKey (collisions
 * at 100,000 rows in one (subscription, type): about 1 in 10^4 scans keeps one stale row one scan
 * longer, never removes a present one), base64 in one string column — 8 characters a row.
 */
const BYTES = 6;

function digest(rowKey: string): Buffer {
  return createHash('sha1').update(rowKey).digest().subarray(0, BYTES);
}

export function encodeSeenKeys(rowKeys: string[]): string {
  return Buffer.concat(rowKeys.map(digest)).toString('base64');
}

export function seenKeySet(encoded: Array<string | undefined>): Set<string> {
  const out = new Set<string>();
  for (const text of encoded) {
    if (!text) continue;
    const buf = Buffer.from(text, 'base64');
    for (let i = 0; i + BYTES <= buf.length; i += BYTES) out.add(buf.subarray(i, i + BYTES).toString('hex'));
  }
  return out;
}

export function seenKeyOf(rowKey: string): string {
  return digest(rowKey).toString('hex');
}
