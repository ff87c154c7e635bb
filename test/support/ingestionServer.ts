import https from 'node:https';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { selfSignedCertificate } from '../../src/emulator/selfSignedCertificate';

/**
 * An Application Insights ingestion look-alike on 127.0.0.1: HTTPS with a self-signed CA (the
 * SDK rewrites http:// endpoints to https://), `POST /v2.1/track` collecting envelopes
 * (gzip or plain; a JSON array, one object, or newline-delimited JSON) and answering as
 * Breeze does. Processes that send to it must trust `caPem` (NODE_EXTRA_CA_CERTS at start).
 */
export interface Envelope {
  name: string;
  time?: string;
  iKey?: string;
  tags: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> & { properties?: Record<string, string> } };
}

export interface IngestionServer {
  endpoint: string;
  port: number;
  caPem: string;
  /** A connection string pointing at this server (the all-zero instrumentation key). */
  connectionString: string;
  envelopes: Envelope[];
  /** Bodies that could not be parsed (a test should expect none). */
  rejected: string[];
  /** Resolves once `predicate` holds over the envelopes received so far. */
  waitFor(predicate: (envelopes: Envelope[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const TEST_INSTRUMENTATION_KEY = '00000000-0000-0000-0000-000000000000';

/** Envelopes in a track body: a JSON array, a single envelope, or one JSON object a line. */
export function parseTrackBody(text: string): Envelope[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  try {
    const parsed = JSON.parse(trimmed) as Envelope | Envelope[];
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return trimmed
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Envelope);
  }
}

export async function startIngestionServer(): Promise<IngestionServer> {
  const { key, cert } = await selfSignedCertificate('TopDeck ingestion look-alike', { validDays: 7 });
  const envelopes: Envelope[] = [];
  const rejected: string[] = [];
  const waiters = new Set<() => void>();

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || path !== '/v2.1/track') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `no route ${req.method} ${path}` }));
        return;
      }
      let body = Buffer.concat(chunks);
      let received: Envelope[];
      try {
        if (
          (req.headers['content-encoding'] ?? '').includes('gzip') ||
          (body[0] === 0x1f && body[1] === 0x8b)
        ) {
          body = zlib.gunzipSync(body);
        }
        received = parseTrackBody(body.toString('utf8'));
      } catch (e) {
        rejected.push(`${(e as Error).message}: ${body.toString('utf8').slice(0, 200)}`);
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            itemsReceived: 0,
            itemsAccepted: 0,
            errors: [{ index: 0, statusCode: 400, message: 'unparseable body' }],
          }),
        );
        return;
      }
      envelopes.push(...received);
      for (const wake of [...waiters]) wake();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ itemsReceived: received.length, itemsAccepted: received.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `https://127.0.0.1:${port}/`;

  const waitFor = (predicate: (e: Envelope[]) => boolean, timeoutMs = 15_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (!predicate(envelopes)) return false;
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
        return true;
      };
      const wake = (): void => void check();
      const timer = setTimeout(() => {
        waiters.delete(wake);
        reject(
          new Error(
            `ingestion look-alike: condition not met after ${timeoutMs} ms (${envelopes.length} envelopes received)`,
          ),
        );
      }, timeoutMs);
      waiters.add(wake);
      check();
    });

  return {
    endpoint,
    port,
    caPem: cert,
    connectionString: `InstrumentationKey=${TEST_INSTRUMENTATION_KEY};IngestionEndpoint=${endpoint}`,
    envelopes,
    rejected,
    waitFor,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
