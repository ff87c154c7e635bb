import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import {
  flushTelemetry,
  isTelemetryStarted,
  operationRecorder,
  shutdownTelemetry,
  startTelemetry,
  telemetryPlan,
  traceIncomingRequests,
} from '../../src/telemetry/appInsights';

const KEY = 'InstrumentationKey=00000000-0000-0000-0000-000000000000';

describe('what Application Insights is told', () => {
  it.each([
    [
      'a loopback look-alike',
      `${KEY};IngestionEndpoint=https://127.0.0.1:4443/`,
      { AZURE_CLIENT_ID: 'cid' },
      true,
      undefined,
    ],
    ['localhost', `${KEY};IngestionEndpoint=https://localhost:4443/`, {}, true, undefined],
    ['IPv6 loopback', `${KEY};IngestionEndpoint=https://[::1]:4443/`, {}, true, undefined],
    [
      'Azure with a user-assigned identity',
      `${KEY};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`,
      { AZURE_CLIENT_ID: 'cid' },
      false,
      'cid',
    ],
    [
      'Azure without an identity id',
      `${KEY};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`,
      {},
      false,
      undefined,
    ],
    ['no endpoint (the public default)', KEY, { AZURE_CLIENT_ID: ' cid ' }, false, 'cid'],
  ])('%s', (_name, connectionString, env, loopback, clientId) => {
    const plan = telemetryPlan(connectionString, env);
    expect(plan.loopback).toBe(loopback);
    expect(plan.managedIdentityClientId).toBe(clientId);
    // Scan-level telemetry is never sampled away.
    expect(plan.options.samplingRatio).toBe(1);
    expect(plan.options.tracesPerSecond).toBe(0);
    expect(plan.options.azureMonitorExporterOptions?.connectionString).toBe(connectionString);
    // Tests neither call out for live metrics nor leave retry files behind.
    expect(plan.options.enableLiveMetrics).toBe(!loopback);
    expect(plan.options.azureMonitorExporterOptions?.disableOfflineStorage).toBe(loopback ? true : undefined);
    expect(plan.options.instrumentationOptions?.http?.enabled).toBe(true);
  });

  it('traces incoming HTTP only on registered ports (the local API, not the in-process Azurite or emulator)', () => {
    const hook = (
      telemetryPlan(KEY, {}).options.instrumentationOptions?.http as {
        ignoreIncomingRequestHook: (r: IncomingMessage) => boolean;
      }
    ).ignoreIncomingRequestHook;
    const request = (localPort: number) => ({ socket: { localPort } }) as unknown as IncomingMessage;
    expect(hook(request(7071))).toBe(true);
    const untrace = traceIncomingRequests(7071);
    expect(hook(request(7071))).toBe(false);
    expect(hook(request(10001))).toBe(true);
    untrace();
    expect(hook(request(7071))).toBe(true);
  });

  it('without a connection string nothing starts and every helper is a cheap no-op', async () => {
    expect(startTelemetry(undefined)).toBe(false);
    expect(startTelemetry({ APPLICATIONINSIGHTS_CONNECTION_STRING: undefined })).toBe(false);
    expect(startTelemetry('  ')).toBe(false);
    expect(isTelemetryStarted()).toBe(false);
    operationRecorder.recordOperation({ operation: 'scan', durationMs: 1, success: true });
    operationRecorder.trackMetric('x', 1);
    expect(await flushTelemetry()).toBe(true);
    expect(await shutdownTelemetry()).toBe(true);
    // The SDK (over a second to load) was never required.
    expect(Object.keys(require.cache).some((k) => k.includes('/node_modules/applicationinsights/'))).toBe(
      false,
    );
  });
});
