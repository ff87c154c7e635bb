import https from 'node:https';
import { ESTATE_CHANGES_PATH } from './estateChangeRoute';
import type { AppliedChange, EstateChangeRequest } from './estateChanges';

/** Asks a running demo emulator to change its estate (tests, the CLI, the freshness benchmark). */
export function postEstateChange(
  endpoint: string,
  caPem: string,
  change: EstateChangeRequest,
): Promise<AppliedChange> {
  const url = new URL(ESTATE_CHANGES_PATH, endpoint);
  const payload = JSON.stringify(change);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        ca: caPem,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = text;
          }
          if (res.statusCode === 200) resolve(body as AppliedChange);
          else {
            const error = (body as { error?: { code?: string; message?: string } })?.error;
            reject(
              new Error(
                `the emulator refused the change (${res.statusCode} ${error?.code ?? ''}): ${error?.message ?? text}`,
              ),
            );
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
