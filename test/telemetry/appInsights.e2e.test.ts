import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { writeCaBundle } from '../../src/emulator/caBundle';
import {
  startIngestionServer,
  TEST_INSTRUMENTATION_KEY,
  type Envelope,
  type IngestionServer,
} from '../support/ingestionServer';

/**
 * Application Insights end to end. The SDK must start before http/https load and the
 * look-alike's CA must be trusted from process start (NODE_EXTRA_CA_CERTS), so each scan runs
 * in a child process: the fixture (a scan through POST /api/scans) or the `npm start` CLI.
 */
const ROOT = path.resolve(__dirname, '../..');
const CHILD_TIMEOUT_MS = 90_000;

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a fixture that must exit 0 and print one `RESULT <json>` line; returns the JSON. */
async function runFixture<T>(fixture: string, env: NodeJS.ProcessEnv): Promise<T> {
  const run = await runChild([fixture], env);
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`the fixture printed no RESULT line:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<ChildRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** The environment of a child: this one's, minus anything that would point it at real services. */
function childEnv(connectionString: string, caBundle: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(APPLICATIONINSIGHTS_|AZURE_|AzureWebJobsStorage|TOPDECK_ARM_|REDIS_URL$|PORT$)/.test(key))
      delete env[key];
  }
  return {
    ...env,
    PORT: '0',
    APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
    NODE_EXTRA_CA_CERTS: caBundle,
    // Keep the SDK from probing the instance metadata address or calling Microsoft.
    WEBSITE_SITE_NAME: 'topdeck-e2e',
    APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
    APPLICATIONINSIGHTS_SDKSTATS_DISABLED: 'true',
  };
}

const opId = (e: Envelope) => e.tags['ai.operation.id'];
const ofType = (envelopes: Envelope[], baseType: string) =>
  envelopes.filter((e) => e.data.baseType === baseType);
const props = (e: Envelope): Record<string, string> => e.data.baseData.properties ?? {};
const summary = (envelopes: Envelope[]) =>
  envelopes
    .map(
      (e) =>
        `${e.data.baseType} ${String(e.data.baseData.name ?? e.data.baseData.message ?? '')} op=${opId(e) ?? '-'}`,
    )
    .join('\n');

function freeClosedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Everything of one scan shares its operation id: its requests (the entry, every page, the
 * finalize), every Resource Manager call, its log lines and its metrics; page and scan metrics
 * are there with the scan id as correlation id.
 */
function expectOneOperation(
  envelopes: Envelope[],
  o: { scanId: string; entry: string; pages: number; resources: number; emulatorEndpoint: string },
): string {
  const requests = ofType(envelopes, 'RequestData');
  const entry = requests.filter((r) => r.data.baseData.name === o.entry);
  expect(entry, `one "${o.entry}" request among:\n${summary(requests)}`).toHaveLength(1);
  const operationId = opId(entry[0] as Envelope);
  expect(operationId).toMatch(/^[0-9a-f]{32}$/);
  for (const e of envelopes) expect(e.iKey).toBe(TEST_INSTRUMENTATION_KEY);

  // Requests: the entry, one per page, the finalize; all in the operation.
  const pages = requests.filter((r) => String(r.data.baseData.name).startsWith('discover'));
  const finalize = requests.filter((r) => r.data.baseData.name === 'finalizeScan');
  expect(pages, summary(requests)).toHaveLength(o.pages);
  expect(finalize, summary(requests)).toHaveLength(1);
  for (const r of [...pages, ...finalize]) expect(opId(r), `${r.data.baseData.name}`).toBe(operationId);
  expect(requests.filter((r) => opId(r) === operationId)).toHaveLength(1 + o.pages + 1);
  for (const r of requests) expect(r.data.baseData.success, String(r.data.baseData.name)).toBe(true);

  // Dependencies: every Resource Manager call is the scan's, and no outgoing call is an orphan
  // (each belongs to an operation that has a request: the scan, a status poll, the start-up).
  const dependencies = ofType(envelopes, 'RemoteDependencyData');
  const arm = dependencies.filter((d) => String(d.data.baseData.data).startsWith(o.emulatorEndpoint));
  // Per page at least the listing and its power-state listing; plus the subscription listing.
  expect(arm.length, summary(dependencies)).toBeGreaterThanOrEqual(2 * o.pages);
  for (const d of arm) expect(opId(d), String(d.data.baseData.data)).toBe(operationId);
  const storage = dependencies.filter(
    (d) => opId(d) === operationId && String(d.data.baseData.data).includes('/devstoreaccount1/'),
  );
  expect(storage.length).toBeGreaterThan(0);
  const requestOperations = new Set(requests.map(opId));
  // The exporter's own settings fetch (platform-notes.md: it fails harmlessly here) is the SDK's,
  // not TopDeck's; whether it lands inside the start-up operation depends on start-up timing.
  const orphans = dependencies.filter(
    (d) =>
      !requestOperations.has(opId(d)) &&
      !String(d.data.baseData.data).startsWith('https://settings.sdk.monitor.azure.com/'),
  );
  expect(orphans, summary(orphans)).toEqual([]);

  // Traces: log lines of the scan carry the operation id, and the handlers' the scan id.
  const traces = ofType(envelopes, 'MessageData');
  const scanTraces = traces.filter(
    (t) => props(t).scanId === o.scanId || props(t).correlationId === o.scanId,
  );
  expect(scanTraces.map((t) => t.data.baseData.message)).toEqual(
    expect.arrayContaining(['scan started', 'scan finalized']),
  );
  for (const t of scanTraces) expect(opId(t), String(t.data.baseData.message)).toBe(operationId);
  const finalized = scanTraces.find((t) => t.data.baseData.message === 'scan finalized');
  expect(props(finalized as Envelope)).toMatchObject({
    correlationId: o.scanId,
    functionName: 'finalizeScan',
    status: 'completed',
  });
  for (const t of traces.filter(
    (t) => opId(t) === operationId && /^(discover|finalizeScan)/.test(props(t).functionName ?? ''),
  )) {
    expect(props(t).correlationId).toBe(o.scanId);
  }

  // Metrics: page and scan metrics, with the scan id and the operation id.
  const metrics = ofType(envelopes, 'MetricData').filter((m) => props(m).correlationId === o.scanId);
  for (const m of metrics) {
    expect(opId(m), JSON.stringify(m.data.baseData)).toBe(operationId);
    expect(props(m)).not.toHaveProperty('ai.operation.id');
  }
  const metric = (operation: string, name: string) => {
    const found = metrics.filter(
      (m) =>
        props(m).operation === operation &&
        (m.data.baseData.metrics as Array<{ name: string }>)[0]?.name === name,
    );
    expect(found, `${operation} ${name} among:\n${summary(metrics)}`).not.toEqual([]);
    return found.flatMap((m) => m.data.baseData.metrics as Array<{ value: number; count: number }>);
  };
  const pageItems = metric('scanPage', 'topdeck.operation.items');
  expect(pageItems.reduce((n, p) => n + p.value, 0)).toBe(o.resources);
  expect(pageItems.reduce((n, p) => n + p.count, 0)).toBe(o.pages);
  metric('scanPage', 'topdeck.operation.duration');
  metric('scanPage', 'topdeck.operation.throttled');
  expect(
    metric('scanPage', 'topdeck.operation.apiCalls').reduce((n, p) => n + p.value, 0),
  ).toBeGreaterThanOrEqual(2 * o.pages);
  expect(metric('scan', 'topdeck.operation.items')).toEqual([
    expect.objectContaining({ value: o.resources, count: 1 }),
  ]);
  expect(metric('scan', 'topdeck.operation.pages')).toEqual([expect.objectContaining({ value: o.pages })]);
  metric('scan', 'topdeck.operation.duration');
  metric('scan', 'topdeck.operation.tasksFailed');
  return operationId as string;
}

describe('Application Insights end to end', () => {
  let ingestion: IngestionServer;
  let bundleDir: string;
  let bundle: string;

  beforeAll(async () => {
    ingestion = await startIngestionServer();
    bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-ai-ca-'));
    bundle = writeCaBundle(ingestion.caPem, bundleDir);
  });
  afterAll(async () => {
    await ingestion?.close();
    if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    ingestion.envelopes.length = 0;
  });

  it(
    'a scan through POST /api/scans is one operation: request, pages, SDK calls, finalize, traces and metrics',
    { timeout: 120_000 },
    async () => {
      const result = await runFixture<{
        scanId: string;
        status: string;
        flushed: boolean;
        emulatorEndpoint: string;
        view: { pages: number; counts: { resources: number } };
      }>('test/telemetry/fixtures/scanWithTelemetry.ts', childEnv(ingestion.connectionString, bundle));
      expect(result.status).toBe('completed');
      expect(result.flushed).toBe(true);
      expect(ingestion.rejected).toEqual([]);
      const { envelopes } = ingestion;
      const operationId = expectOneOperation(envelopes, {
        scanId: result.scanId,
        entry: 'POST /api/scans',
        pages: result.view.pages,
        resources: result.view.counts.resources,
        emulatorEndpoint: result.emulatorEndpoint,
      });
      // The status polls are requests of their own, and the in-process Azurite and emulator add none.
      const requests = ofType(envelopes, 'RequestData');
      const polls = requests.filter((r) => r.data.baseData.name === 'GET /api/scans/{scanId}');
      expect(polls.length).toBeGreaterThan(0);
      for (const p of polls) expect(opId(p)).not.toBe(operationId);
      const names = new Set(requests.map((r) => String(r.data.baseData.name)));
      expect([...names].sort()).toEqual([
        'GET /api/scans/{scanId}',
        'POST /api/scans',
        // the VMs come as Resource Graph pages (auto's source), which the inventory's function reads
        'discoverResources',
        'finalizeScan',
        'localStartup',
      ]);
    },
  );

  it(
    'a resource event’s refresh is one operation whose properties carry the event’s correlation id',
    { timeout: 120_000 },
    async () => {
      const result = await runFixture<{
        resourceId: string;
        correlationId: string;
        flushed: boolean;
        emulatorEndpoint: string;
      }>('test/telemetry/fixtures/refreshWithTelemetry.ts', childEnv(ingestion.connectionString, bundle));
      expect(result.flushed).toBe(true);
      expect(ingestion.rejected).toEqual([]);
      const { envelopes } = ingestion;
      // one refresh: one request of its own, carrying the event's correlation id ...
      const refreshes = ofType(envelopes, 'RequestData').filter(
        (r) => r.data.baseData.name === 'refreshResource',
      );
      expect(refreshes, summary(refreshes)).toHaveLength(1);
      const refresh = refreshes[0] as Envelope;
      expect(refresh.data.baseData.success).toBe(true);
      expect(props(refresh)['topdeck.correlationId']).toBe(result.correlationId);
      expect(props(refresh)['topdeck.resourceId']).toBe(result.resourceId);
      const operationId = opId(refresh);
      expect(operationId).toMatch(/^[0-9a-f]{32}$/);
      const inIt = envelopes.filter((e) => opId(e) === operationId);
      // ... whose Resource Manager read, log lines and metrics are all in that operation
      const reads = ofType(inIt, 'RemoteDependencyData').filter((d) =>
        String(d.data.baseData.data).startsWith(`${result.emulatorEndpoint}${result.resourceId}`),
      );
      expect(reads.length, summary(inIt)).toBeGreaterThanOrEqual(1);
      const traces = ofType(inIt, 'MessageData').map((t) => t.data.baseData.message);
      expect(traces).toEqual(
        expect.arrayContaining(['resource refreshed from an event', 'operation metrics']),
      );
      const metrics = ofType(inIt, 'MetricData');
      expect(metrics.length).toBeGreaterThan(0);
      for (const e of [...ofType(inIt, 'MessageData'), ...metrics])
        expect(props(e).correlationId, summary([e])).toBe(result.correlationId);
      expect(
        metrics.filter((m) => props(m).operation === 'eventRefresh').map((m) => props(m).outcome),
      ).toContain('modified');
      // and nothing else of the event's lands in another operation
      const elsewhere = envelopes.filter(
        (e) => opId(e) !== operationId && props(e).correlationId === result.correlationId,
      );
      expect(summary(elsewhere)).toBe('');
    },
  );

  it(
    "`npm start -- --once`: the local start is the scan's request, and the CLI output is unchanged",
    { timeout: 120_000 },
    async () => {
      const run = await runChild(
        [
          'src/runtime/cli.ts',
          '--once',
          '--memory',
          '--no-devops',
          '--vm-only',
          '--subscriptions',
          '1',
          '--vms',
          '120',
          '--page-size',
          '50',
          '--latency',
          '0',
        ],
        childEnv(ingestion.connectionString, bundle),
      );
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      const scanId = /scan (\S+) started/.exec(run.stdout)?.[1];
      const emulatorEndpoint = /demo estate at (https:\/\/\S+);/.exec(run.stdout)?.[1];
      if (!scanId || !emulatorEndpoint) throw new Error(`unexpected CLI output:\n${run.stdout}`);
      expect(run.stdout).toContain('telemetry Application Insights');
      expect(run.stdout).toMatch(/scan \S+ completed/);
      // Nothing of the SDK's own logging lands in the terminal.
      expect(run.stdout + run.stderr).not.toMatch(/azure:|ApplicationInsights|OpenTelemetry/);
      // the summary's page count: Resource Graph pages (auto) hold more rows than the emulator's list pages
      const pages = Number(/; pages (\d+);/.exec(run.stdout)?.[1]);
      expect(pages).toBeGreaterThan(0);
      expectOneOperation(ingestion.envelopes, {
        scanId,
        entry: 'localScan',
        pages,
        resources: 120,
        emulatorEndpoint,
      });
    },
  );

  it(
    'the Azure Functions entry point alone starts telemetry early enough to collect SDK calls',
    { timeout: 120_000 },
    async () => {
      const result = await runFixture<{
        started: boolean;
        flushed: boolean;
        subscriptions: string[];
        emulatorEndpoint: string;
      }>('test/telemetry/fixtures/functionsEntry.ts', childEnv(ingestion.connectionString, bundle));
      expect(result).toMatchObject({ started: true, flushed: true });
      expect(result.subscriptions).toHaveLength(2);
      const probe = ofType(ingestion.envelopes, 'RequestData').filter(
        (r) => r.data.baseData.name === 'probe',
      );
      expect(probe, summary(ingestion.envelopes)).toHaveLength(1);
      const calls = ofType(ingestion.envelopes, 'RemoteDependencyData').filter((d) =>
        String(d.data.baseData.data).startsWith(result.emulatorEndpoint),
      );
      expect(calls.length, summary(ingestion.envelopes)).toBeGreaterThan(0);
      for (const d of calls) expect(opId(d)).toBe(opId(probe[0] as Envelope));
    },
  );

  it(
    'an unreachable ingestion endpoint neither blocks nor fails the scan',
    { timeout: 120_000 },
    async () => {
      const port = await freeClosedPort();
      const closed = `InstrumentationKey=${TEST_INSTRUMENTATION_KEY};IngestionEndpoint=https://127.0.0.1:${port}/`;
      const run = await runChild(
        [
          'src/runtime/cli.ts',
          '--once',
          '--memory',
          '--no-devops',
          '--vm-only',
          '--subscriptions',
          '2',
          '--vms',
          '120',
          '--page-size',
          '50',
          '--latency',
          '0',
        ],
        childEnv(closed, bundle),
      );
      expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
      expect(run.stdout).toContain('telemetry Application Insights');
      expect(run.stdout).toMatch(/scan \S+ completed/);
      expect(run.stdout).toContain('resources 240 (added 0');
      // Start-up (SDK load, Azurite, emulator) plus the scan plus at most the bounded flush.
      expect(run.ms).toBeLessThan(30_000);
      expect(ingestion.envelopes).toEqual([]);
    },
  );
});
