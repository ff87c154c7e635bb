import { SeverityNumber } from '@opentelemetry/api-logs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forwardLogEntries, logAttributes } from '../../src/telemetry/forwardLogEntries';
import { createLogger, setLogLevel, setLogSink, withOperation } from '../../src/telemetry/logger';
import { runWithTraceparent } from '../../src/telemetry/traceContext';
import { registerTestTracing } from './otelTestProvider';

registerTestTracing();

describe('log entries forwarded to Application Insights as traces', () => {
  let exporter: InMemoryLogRecordExporter;
  let stop: () => void;
  const lines: string[] = [];

  beforeEach(() => {
    lines.length = 0;
    setLogLevel('info');
    setLogSink((line) => lines.push(line));
    exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    stop = forwardLogEntries(provider.getLogger('topdeck'));
  });
  afterEach(() => {
    stop();
    setLogSink(undefined);
  });

  it('carries message, severity, the correlation id as a dimension and the operation (trace) id of the span it was logged in', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await runWithTraceparent(traceparent, 'page', async () =>
      withOperation({ correlationId: 'scan-1', traceparent }, () =>
        createLogger('scan')
          .child({ component: 'scan' })
          .warn('page failed transiently', { statusCode: 503, token: 'abc123secret' }),
      ),
    );
    const [record, ...rest] = exporter.getFinishedLogRecords();
    expect(rest).toEqual([]);
    expect(record?.body).toBe('page failed transiently');
    expect(record?.severityNumber).toBe(SeverityNumber.WARN);
    expect(record?.spanContext?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(record?.attributes).toMatchObject({
      correlationId: 'scan-1',
      logger: 'scan',
      component: 'scan',
      statusCode: 503,
      token: '[REDACTED]',
    });
    // The console line is unchanged (and keeps the traceparent out, as before).
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      message: 'page failed transiently',
      correlationId: 'scan-1',
    });
  });

  it.each([
    ['info', SeverityNumber.INFO],
    ['warn', SeverityNumber.WARN],
    ['error', SeverityNumber.ERROR],
  ] as const)('maps level %s', (level, severity) => {
    createLogger('x')[level]('m');
    expect(exporter.getFinishedLogRecords().map((r) => [r.severityNumber, r.severityText])).toEqual([
      [severity, level.toUpperCase()],
    ]);
  });

  it('forwards nothing below the logger level (debug by default)', () => {
    createLogger('x').debug('quiet');
    expect(exporter.getFinishedLogRecords()).toEqual([]);
  });

  it('stops forwarding once unsubscribed', () => {
    stop();
    createLogger('x').info('after');
    expect(exporter.getFinishedLogRecords()).toEqual([]);
    expect(lines).toHaveLength(1);
  });

  it('turns fields into attributes: scalars as they are, objects as JSON, nulls dropped', () => {
    expect(
      logAttributes({
        timestamp: 't',
        level: 'info',
        message: 'm',
        correlationId: null,
        n: 1,
        ok: true,
        s: 'x',
        o: { a: [1] },
      }),
    ).toEqual({ n: 1, ok: true, s: 'x', o: '{"a":[1]}' });
  });
});
