import { createRequire } from 'node:module';
import type { IncomingMessage } from 'node:http';
import type { TokenCredential } from '@azure/identity';
import type { Meter } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import type { AzureMonitorOpenTelemetryOptions } from 'applicationinsights';
import type { Settings } from '../config/settings';
import { forwardLogEntries } from './forwardLogEntries';
import { createLogger } from './logger';
import { createOperationRecorder, type OperationMetrics, type OperationRecorder } from './operationMetrics';
import { tagMetricEnvelopes } from './tagOperationIds';

export { currentOperationId, currentTraceparent, runWithTraceparent, withoutTracing } from './traceContext';
export type { OperationMetrics, OperationRecorder } from './operationMetrics';

/**
 * Application Insights (`applicationinsights` 3.x, on OpenTelemetry), started once per process
 * when a connection string is set, as early as possible: `preload.ts` is the entry points' first
 * import, because HTTP auto-collection only hooks modules loaded after the start. Without a
 * connection string nothing is loaded (the SDK takes over a second to require) and every helper
 * is a no-op. Export is batched and asynchronous: an unreachable ingestion endpoint costs failed
 * background sends, never a scan; shutdown waits a bounded time.
 */

/** The SDK modules are required only when telemetry starts (see above). */
const load = createRequire(__filename);

const log = createLogger('telemetry');

export interface StartTelemetryOptions {
  /** Where AZURE_CLIENT_ID, OTEL_SERVICE_NAME and WEBSITE_SITE_NAME are read (default process.env). */
  env?: Record<string, string | undefined>;
  /** How often operation metrics are exported, in milliseconds (default 60 s; shutdown flushes). */
  metricExportIntervalMs?: number;
}

export interface TelemetryPlan {
  connectionString: string;
  /** The ingestion endpoint of the connection string (default: the public one). */
  ingestionEndpoint: string;
  /** Ingestion on this machine (a test's look-alike): no credential, no live metrics, no disk retry. */
  loopback: boolean;
  /** Managed identity client id for the exporter's Entra ID auth (local auth is disabled in Azure). */
  managedIdentityClientId?: string;
  options: AzureMonitorOpenTelemetryOptions;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function connectionStringField(connectionString: string, field: string): string | undefined {
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim().toLowerCase() === field.toLowerCase())
      return part.slice(eq + 1).trim();
  }
  return undefined;
}

const tracedPorts = new Set<number>();

/**
 * Incoming HTTP is traced only on the ports registered here (the local runtime's API); the
 * in-process Azurite and Resource Manager emulator would otherwise add a request per call.
 */
export function traceIncomingRequests(port: number): () => void {
  tracedPorts.add(port);
  return () => void tracedPorts.delete(port);
}

function ignoreIncomingRequest(request: IncomingMessage): boolean {
  const port = request.socket?.localPort;
  return port === undefined || !tracedPorts.has(port);
}

/** What the SDK will be told, from the connection string and the environment (pure; tested by table). */
export function telemetryPlan(
  connectionString: string,
  env: Record<string, string | undefined> = process.env,
): TelemetryPlan {
  const ingestionEndpoint =
    connectionStringField(connectionString, 'IngestionEndpoint') ?? 'https://dc.services.visualstudio.com';
  let host = '';
  try {
    host = new URL(ingestionEndpoint).hostname;
  } catch {
    // A malformed endpoint is the exporter's to report; treat it as remote.
  }
  const loopback = LOOPBACK_HOSTS.has(host);
  const clientId = env.AZURE_CLIENT_ID?.trim();
  const managedIdentityClientId = clientId && !loopback ? clientId : undefined;
  return {
    connectionString,
    ingestionEndpoint,
    loopback,
    ...(managedIdentityClientId ? { managedIdentityClientId } : {}),
    options: {
      azureMonitorExporterOptions: { connectionString, ...(loopback ? { disableOfflineStorage: true } : {}) },
      // Every span is kept: a scan's request, pages and exceptions must never be sampled away
      // (tracesPerSecond 0 turns the default rate limiter off in favour of the ratio).
      samplingRatio: 1,
      tracesPerSecond: 0,
      enableLiveMetrics: !loopback,
      instrumentationOptions: {
        http: { enabled: true, ignoreIncomingRequestHook: ignoreIncomingRequest } as NonNullable<
          AzureMonitorOpenTelemetryOptions['instrumentationOptions']
        >['http'],
        // Off: it adds an in-process span per SDK method (a 100-entity table transaction is 100
        // of them) and a second span per HTTP call; the http spans alone show every call.
        azureSdk: { enabled: false },
        mongoDb: { enabled: false },
        mySql: { enabled: false },
        postgreSql: { enabled: false },
        redis: { enabled: false },
        redis4: { enabled: false },
      },
    },
  };
}

interface Running {
  ai: typeof import('applicationinsights');
  meterProvider: import('@opentelemetry/sdk-metrics').MeterProvider;
  meter: Meter;
  stopForwarding: () => void;
}

let running: Running | undefined;
let attempted = false;

/** Operation metrics of this process: no-ops until (and unless) telemetry starts. */
export const operationRecorder: OperationRecorder = createOperationRecorder(() => running?.meter);

/** Sends one unit of work's numbers as metrics (a no-op while telemetry is off). */
export function recordOperation(metrics: OperationMetrics): void {
  operationRecorder.recordOperation(metrics);
}

/** Sends one value as a metric, with the current correlation and operation ids (a no-op while telemetry is off). */
export function trackMetric(
  name: string,
  value: number,
  dimensions?: Record<string, string | number | boolean>,
): void {
  operationRecorder.trackMetric(name, value, dimensions);
}

export function isTelemetryStarted(): boolean {
  return running !== undefined;
}

/**
 * Starts Application Insights once per process; later calls (and calls without a connection
 * string) do nothing. Returns whether telemetry is on. Never throws: telemetry that cannot start
 * is logged, and the application runs without it.
 */
export function startTelemetry(
  input: Pick<Settings, 'APPLICATIONINSIGHTS_CONNECTION_STRING'> | string | undefined,
  options: StartTelemetryOptions = {},
): boolean {
  if (running) return true;
  const connectionString = (
    typeof input === 'string' ? input : input?.APPLICATIONINSIGHTS_CONNECTION_STRING
  )?.trim();
  if (!connectionString || attempted) return false;
  attempted = true;
  const env = options.env ?? process.env;
  try {
    const plan = telemetryPlan(connectionString, env);
    let credential: TokenCredential | undefined;
    if (plan.managedIdentityClientId) {
      const { ManagedIdentityCredential } = load('@azure/identity') as typeof import('@azure/identity');
      credential = new ManagedIdentityCredential({ clientId: plan.managedIdentityClientId });
    }
    const exporterOptions = {
      ...plan.options.azureMonitorExporterOptions,
      ...(credential ? { credential } : {}),
    };
    const ai = load('applicationinsights') as typeof import('applicationinsights');
    ai.useAzureMonitor({ ...plan.options, azureMonitorExporterOptions: exporterOptions });
    restoreAzureSdkLogging(env);

    // Operation metrics get a meter provider of their own, so their exporter can tag each
    // envelope with its operation id (see tagOperationIds) without touching the SDK's metrics.
    const sdkMetrics = load('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
    const { resourceFromAttributes } = load(
      '@opentelemetry/resources',
    ) as typeof import('@opentelemetry/resources');
    const { AzureMonitorMetricExporter } = load(
      '@azure/monitor-opentelemetry-exporter',
    ) as typeof import('@azure/monitor-opentelemetry-exporter');
    const exporter = new AzureMonitorMetricExporter(exporterOptions);
    const tagged = tagMetricEnvelopes(exporter);
    const serviceName = env.OTEL_SERVICE_NAME?.trim() || env.WEBSITE_SITE_NAME?.trim();
    const meterProvider = new sdkMetrics.MeterProvider({
      ...(serviceName ? { resource: resourceFromAttributes({ 'service.name': serviceName }) } : {}),
      readers: [
        new sdkMetrics.PeriodicExportingMetricReader({
          exporter,
          exportIntervalMillis: options.metricExportIntervalMs ?? 60_000,
        }),
      ],
    });
    running = {
      ai,
      meterProvider,
      meter: meterProvider.getMeter('topdeck'),
      stopForwarding: forwardLogEntries(logs.getLogger('topdeck')),
    };
    log.debug('Application Insights telemetry started', {
      ingestion: new URL(plan.ingestionEndpoint).host,
      auth: credential ? 'managed identity' : 'instrumentation key',
      samplingRatio: 1,
    });
    if (!tagged)
      log.warn(
        'metric envelopes carry the operation id as a custom dimension only: the Azure Monitor exporter changed shape',
      );
    return true;
  } catch (e) {
    restoreAzureSdkLogging(env);
    log.warn('Application Insights could not start; running without telemetry', {
      error: (e as Error).message,
    });
    return false;
  }
}

/**
 * The SDK turns Azure SDK logging on at "warning", process-wide and onto stdout (every
 * deprecation notice of every client); this puts back what the process had without telemetry,
 * unless SDK diagnostics were asked for (APPLICATIONINSIGHTS_INSTRUMENTATION_LOGGING_LEVEL).
 */
function restoreAzureSdkLogging(env: Record<string, string | undefined>): void {
  if (env.APPLICATIONINSIGHTS_INSTRUMENTATION_LOGGING_LEVEL) return;
  const levels = ['verbose', 'info', 'warning', 'error'] as const;
  const wanted = levels.find((l) => l === env.AZURE_LOG_LEVEL?.trim().toLowerCase());
  (load('@azure/logger') as typeof import('@azure/logger')).setLogLevel(wanted);
}

async function bounded(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends what is queued; gives up after `timeoutMs` (the ingestion endpoint may be unreachable).
 * Resolves true when the SDK finished in time (sends that failed are its to retry or drop).
 */
export async function flushTelemetry(timeoutMs = 3000): Promise<boolean> {
  const r = running;
  if (!r) return true;
  return bounded(Promise.allSettled([r.meterProvider.forceFlush(), r.ai.flushAzureMonitor()]), timeoutMs);
}

/** Flushes and stops the SDK (at process exit); bounded like flushTelemetry. */
export async function shutdownTelemetry(timeoutMs = 3000): Promise<boolean> {
  const r = running;
  if (!r) return true;
  running = undefined;
  r.stopForwarding();
  return bounded(Promise.allSettled([r.meterProvider.shutdown(), r.ai.shutdownAzureMonitor()]), timeoutMs);
}
