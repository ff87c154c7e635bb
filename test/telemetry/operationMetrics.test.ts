import type { Meter } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countingCalls } from '../../src/telemetry/callCounts';
import { withOperation } from '../../src/telemetry/logger';
import { createOperationRecorder, OPERATION_ID_DIMENSION } from '../../src/telemetry/operationMetrics';
import { runWithTraceparent } from '../../src/telemetry/traceContext';
import { registerTestTracing } from './otelTestProvider';

registerTestTracing();

interface Point {
  name: string;
  unit: string;
  sum: number;
  count: number;
  attributes: Record<string, unknown>;
}

describe('operation metrics', () => {
  let provider: MeterProvider;
  let reader: PeriodicExportingMetricReader;
  let meter: Meter;

  beforeEach(() => {
    reader = new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.DELTA),
      exportIntervalMillis: 3_600_000,
    });
    provider = new MeterProvider({ readers: [reader] });
    meter = provider.getMeter('topdeck');
  });
  afterEach(async () => provider.shutdown());

  async function points(): Promise<Point[]> {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) =>
      s.metrics.flatMap((m) => {
        expect(m.dataPointType).toBe(DataPointType.HISTOGRAM);
        return (m as HistogramMetricData).dataPoints.map((p) => ({
          name: m.descriptor.name,
          unit: m.descriptor.unit,
          sum: p.value.sum ?? 0,
          count: p.value.count,
          attributes: { ...p.attributes },
        }));
      }),
    );
  }

  it('sends each number as a histogram, dimensioned by operation, success, correlation and operation ids and string fields', async () => {
    const recorder = createOperationRecorder(() => meter);
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await runWithTraceparent(traceparent, 'page', async () =>
      recorder.recordOperation({
        operation: 'scanPage',
        durationMs: 125,
        success: true,
        items: 50,
        errors: 0,
        apiCalls: 3,
        throttled: 1,
        retries: 1,
        correlationId: 'scan-1',
        added: 7,
        outcome: 'done',
        resourceType: 'Microsoft.Compute/virtualMachines',
        ignored: undefined,
      }),
    );
    const got = await points();
    const byName = Object.fromEntries(got.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(
      ['added', 'apiCalls', 'duration', 'errors', 'items', 'retries', 'throttled']
        .map((n) => `topdeck.operation.${n}`)
        .sort(),
    );
    expect(byName['topdeck.operation.duration']).toMatchObject({ sum: 125, count: 1, unit: 'ms' });
    expect(byName['topdeck.operation.items']).toMatchObject({ sum: 50, count: 1 });
    expect(byName['topdeck.operation.throttled']).toMatchObject({ sum: 1 });
    for (const p of got) {
      expect(p.attributes).toEqual({
        operation: 'scanPage',
        success: 'true',
        correlationId: 'scan-1',
        [OPERATION_ID_DIMENSION]: '4bf92f3577b34da6a3ce929d0e0e4736',
        outcome: 'done',
        resourceType: 'Microsoft.Compute/virtualMachines',
      });
    }
  });

  it('takes the correlation id from the operation context when none is given, and has no operation id outside a span', async () => {
    const recorder = createOperationRecorder(() => meter);
    withOperation({ correlationId: 'scan-2' }, () =>
      recorder.recordOperation({ operation: 'scan', durationMs: 10, success: false, errors: 2 }),
    );
    const got = await points();
    expect(got.find((p) => p.name === 'topdeck.operation.errors')).toMatchObject({
      sum: 2,
      attributes: { operation: 'scan', success: 'false', correlationId: 'scan-2' },
    });
    for (const p of got) expect(p.attributes).not.toHaveProperty(OPERATION_ID_DIMENSION);
  });

  it('aggregates the pages of one scan into one data point per metric', async () => {
    const recorder = createOperationRecorder(() => meter);
    for (const items of [50, 50, 20])
      recorder.recordOperation({
        operation: 'scanPage',
        durationMs: 5,
        success: true,
        items,
        correlationId: 'scan-3',
      });
    const items = (await points()).find((p) => p.name === 'topdeck.operation.items');
    expect(items).toMatchObject({ sum: 120, count: 3 });
  });

  it('trackMetric adds the correlation id to the given dimensions', async () => {
    const recorder = createOperationRecorder(() => meter);
    withOperation({ correlationId: 'scan-4' }, () =>
      recorder.trackMetric('topdeck.cache.hits', 3, { cache: 'resources', warm: true }),
    );
    expect(await points()).toEqual([
      {
        name: 'topdeck.cache.hits',
        unit: '',
        sum: 3,
        count: 1,
        attributes: { correlationId: 'scan-4', cache: 'resources', warm: 'true' },
      },
    ]);
  });

  it('is a no-op without a meter (telemetry off) and picks a meter up once there is one', async () => {
    const current: { meter?: Meter } = {};
    const recorder = createOperationRecorder(() => current.meter);
    recorder.recordOperation({ operation: 'scan', durationMs: 1, success: true });
    recorder.trackMetric('x', 1);
    expect(await points()).toEqual([]);
    current.meter = meter;
    recorder.recordOperation({ operation: 'scan', durationMs: 1, success: true });
    expect((await points()).map((p) => p.name)).toEqual(['topdeck.operation.duration']);
  });

  it('exposes the call counts of the current handler invocation', () => {
    const recorder = createOperationRecorder(() => meter);
    expect(recorder.callCounts()).toBeUndefined();
    expect(countingCalls(() => recorder.callCounts())).toEqual({
      apiCalls: 0,
      throttled: 0,
      serverErrors: 0,
      retries: 0,
    });
  });
});
