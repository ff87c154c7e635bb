import { gunzipSync } from 'node:zlib';
import type { TestHost } from './localHost';

/** Every text the host's tables hold, binary columns as raw text and, when gzip, unzipped. */
export async function tableTexts(host: TestHost): Promise<string[]> {
  const out: string[] = [];
  for (const table of Object.values(host.services.tables)) {
    for await (const e of table.listEntities()) {
      for (const v of Object.values(e)) {
        if (v instanceof Uint8Array) {
          out.push(Buffer.from(v).toString('latin1'));
          try {
            out.push(gunzipSync(v).toString('utf8'));
          } catch {
            // not gzip
          }
        } else out.push(typeof v === 'string' ? v : JSON.stringify(v));
      }
    }
  }
  return out;
}
