import type { Attributes, Histogram, Meter } from '@opentelemetry/api';
import { currentCallCounts, type CallCounts } from './callCounts';
import { createLogger, currentOperation } from './logger';

const metricsLog = createLogger('metrics');
import { currentOperationId } from './traceContext';

/**
 * One unit of work's numbers (a page, a scan), sent as metrics: each number is a histogram
 * data point (App Insights customMetrics: sum, count, min, max), dimensioned by the operation
 * name, success, the correlation id and any string fields given.
 */
export interface OperationMetrics {
  /** What ran, e.g. `scanPage`, `scan`. */
  operation: string;
  durationMs: number;
  success: boolean;
  items?: number;
  errors?: number;
  apiCalls?: number;
  /** Resource Manager attempts answered 429. */
  throttled?: number;
  retries?: number;
  /** Defaults to the correlation id of the current operation (the scan id in a scan). */
  correlationId?: string;
  /** More numbers (sent as `topdeck.operation.<name>`) or dimensions (strings, booleans). */
  [custom: string]: string | number | boolean | undefined;
}

/** Where operation metrics go; ScanService and the handlers know only this port. */
export interface OperationRecorder {
  recordOperation(metrics: OperationMetrics): void;
  /** A single value with dimensions (correlation and operation ids are added). */
  trackMetric(name: string, value: number, dimensions?: Record<string, string | number | boolean>): void;
  /** Resource Manager calls of the current handler invocation so far (undefined outside one). */
  callCounts(): CallCounts | undefined;
}

/** Dimension moved into the envelope's `ai.operation.id` tag by the metric exporter. */
export const OPERATION_ID_DIMENSION = 'ai.operation.id';
export const METRIC_PREFIX = 'topdeck.operation.';

const STANDARD = new Set(['operation', 'durationMs', 'success', 'correlationId']);
const UNITS: Record<string, string> = { durationMs: 'ms' };

function metricName(field: string): string {
  return METRIC_PREFIX + (field === 'durationMs' ? 'duration' : field);
}

function contextDimensions(correlationId: string | undefined): Attributes {
  const dims: Attributes = {};
  const cid = correlationId ?? currentOperation().correlationId;
  if (cid) dims.correlationId = cid;
  const operationId = currentOperationId();
  if (operationId) dims[OPERATION_ID_DIMENSION] = operationId;
  return dims;
}

/**
 * A recorder on an OpenTelemetry meter, looked up on each use: undefined (telemetry off) makes
 * every call a no-op, and a meter that appears later (telemetry started after the composition
 * root was built) is picked up.
 */
export function createOperationRecorder(getMeter: () => Meter | undefined): OperationRecorder {
  const histograms = new WeakMap<Meter, Map<string, Histogram>>();
  const histogram = (meter: Meter, name: string, unit?: string): Histogram => {
    let byName = histograms.get(meter);
    if (!byName) histograms.set(meter, (byName = new Map()));
    let h = byName.get(name);
    if (!h) byName.set(name, (h = meter.createHistogram(name, unit ? { unit } : {})));
    return h;
  };
  return {
    recordOperation(m) {
      // Always a JSON log line (the operation's numbers, also without Application Insights).
      const { operation, ...fields } = m;
      metricsLog.info('operation metrics', { operation, ...fields });
      const meter = getMeter();
      if (!meter) return;
      const dims: Attributes = {
        operation: m.operation,
        success: String(m.success),
        ...contextDimensions(m.correlationId),
      };
      const values: Array<[string, number]> = [['durationMs', m.durationMs]];
      for (const [key, value] of Object.entries(m)) {
        if (STANDARD.has(key) || value === undefined) continue;
        if (typeof value === 'number') {
          if (Number.isFinite(value)) values.push([key, value]);
        } else dims[key] = String(value);
      }
      for (const [key, value] of values) histogram(meter, metricName(key), UNITS[key]).record(value, dims);
    },
    trackMetric(name, value, dimensions = {}) {
      const meter = getMeter();
      if (!meter || !Number.isFinite(value)) return;
      const dims: Attributes = { ...contextDimensions(undefined) };
      for (const [k, v] of Object.entries(dimensions)) dims[k] = typeof v === 'number' ? v : String(v);
      histogram(meter, name).record(value, dims);
    },
    callCounts: currentCallCounts,
  };
}
