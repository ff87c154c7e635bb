import { startArmEmulator, type ArmEmulator, type ArmEmulatorOptions } from '../../src/emulator';
import type { DevOpsEmulator } from '../../src/emulator/devops';
import { startLocal, type LocalHost } from '../../src/runtime/startLocal';
import type { HostConfig } from '../../src/runtime/hostConfig';
import { setLogSink } from '../../src/telemetry/logger';
import { assertAnswerMatches } from './openApiCheck';

/** Every log line of the test process, for assertions (and a quiet test output). */
export const capturedLogs: string[] = [];
setLogSink((line) => {
  capturedLogs.push(line);
  if (capturedLogs.length > 50_000) capturedLogs.splice(0, 10_000);
});

export interface TestHostOptions {
  emulator?: ArmEmulatorOptions;
  env?: Record<string, string>;
  host?: Partial<HostConfig>;
  /** An Azure DevOps look-alike to scan as well (the test closes it). */
  devopsEmulator?: DevOpsEmulator;
}

export interface TestHost extends LocalHost {
  emulator: ArmEmulator;
  api<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  waitForScan(scanId: string, timeoutMs?: number): Promise<ScanView>;
}

export interface ScanView {
  scanId: string;
  status: string;
  tasks: { total: number; completed: number; failed: number; skipped: number };
  counts: { resources: number; added: number; modified: number; removed: number; dependencies: number };
  errors: Array<{ code: string; count: number; message: string }>;
  [k: string]: unknown;
}

/**
 * The local runtime as `npm start` builds it — in-memory Azurite, the HTTPS emulator,
 * real SDK clients — with timers off and a quick retry cadence for tests.
 */
export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const emulator = await startArmEmulator({ latencyMs: 0, ...options.emulator });
  let host: LocalHost;
  try {
    host = await startLocal({
      env: { PORT: '0', PATH: process.env.PATH, ...options.env },
      memory: true,
      emulator,
      devopsEmulator: options.devopsEmulator,
      timers: false,
      host: { visibilityTimeoutMs: 0, maxDequeueCount: 3, maxPollingIntervalMs: 200, ...options.host },
    });
  } catch (e) {
    await emulator.close();
    throw e;
  }
  const api = async <T>(method: string, path: string, body?: unknown) => {
    const res = await fetch(host.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = (text ? JSON.parse(text) : undefined) as T;
    // Every answer an end-to-end test gets is checked against the OpenAPI document.
    assertAnswerMatches(method, path, res.status, parsed);
    return { status: res.status, body: parsed };
  };
  const waitForScan = async (scanId: string, timeoutMs = 60_000): Promise<ScanView> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { body } = await api<ScanView>('GET', `/api/scans/${scanId}`);
      if (['completed', 'partial', 'failed'].includes(body.status)) return body;
      if (Date.now() > deadline)
        throw new Error(`scan ${scanId} still ${body.status} after ${timeoutMs} ms: ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return {
    ...host,
    emulator,
    api,
    waitForScan,
    stop: async () => {
      await host.stop();
      await emulator.close();
    },
  };
}

/** Every resource over the HTTP API, following continuation tokens. */
export async function listAllResources(
  host: TestHost,
  query = '',
  limit = 100,
): Promise<
  Array<{
    id: string;
    key: string;
    status: string;
    properties: Record<string, unknown>;
    [k: string]: unknown;
  }>
> {
  const items: Array<{ id: string; key: string; status: string; properties: Record<string, unknown> }> = [];
  let token: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const qs = new URLSearchParams(query);
    qs.set('limit', String(limit));
    if (token) qs.set('continuationToken', token);
    const { status, body } = await host.api<{ items: typeof items; continuationToken?: string }>(
      'GET',
      `/api/resources?${qs}`,
    );
    if (status !== 200) throw new Error(`GET /api/resources answered ${status}: ${JSON.stringify(body)}`);
    items.push(...body.items);
    token = body.continuationToken;
    if (!token) return items;
  }
  throw new Error('too many pages');
}
