import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  contextFromTraceparent,
  currentOperationId,
  currentTraceparent,
  isTraceparent,
  runWithTraceparent,
  setRequestRoute,
  withoutTracing,
} from '../../src/telemetry/traceContext';
import { registerTestTracing } from './otelTestProvider';

const tracing = registerTestTracing();

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

function spanNamed(name: string) {
  const span = tracing.spans().find((s) => s.name === name);
  if (!span)
    throw new Error(
      `no span "${name}" among ${
        tracing
          .spans()
          .map((s) => s.name)
          .join(', ') || 'none'
      }`,
    );
  return span;
}

describe('traceparent helpers', () => {
  beforeEach(() => tracing.reset());

  it.each([
    [TRACEPARENT, true],
    [`00-${TRACE_ID}-${PARENT_ID}-00`, true],
    [`00-${'0'.repeat(32)}-${PARENT_ID}-01`, false],
    [`00-${TRACE_ID}-${'0'.repeat(16)}-01`, false],
    [`ff-${TRACE_ID}-${PARENT_ID}-01`, false],
    [`00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`, false],
    ['not-a-traceparent', false],
    ['', false],
    [undefined, false],
    [42, false],
  ])('isTraceparent(%j) is %s', (value, expected) => {
    expect(isTraceparent(value)).toBe(expected);
  });

  it('extracts a traceparent into a remote parent context', () => {
    const ctx = contextFromTraceparent(TRACEPARENT);
    expect(trace.getSpanContext(ctx ?? (undefined as never))).toMatchObject({
      traceId: TRACE_ID,
      spanId: PARENT_ID,
      isRemote: true,
    });
    expect(contextFromTraceparent('garbage')).toBeUndefined();
    expect(contextFromTraceparent(undefined)).toBeUndefined();
  });

  it('continues a queue message traceparent in a consumer span and injects its own into outgoing messages', async () => {
    const seen = await runWithTraceparent(
      TRACEPARENT,
      'discoverVirtualmachines',
      async () => ({
        traceparent: currentTraceparent(),
        operationId: currentOperationId(),
      }),
      { kind: 'consumer' },
    );
    const span = spanNamed('discoverVirtualmachines');
    expect(span.spanContext().traceId).toBe(TRACE_ID);
    expect(span.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(span.kind).toBe(SpanKind.CONSUMER);
    // App Insights names a consumer span's request from this attribute.
    expect(span.attributes['ai.operation.name']).toBe('discoverVirtualmachines');
    expect(seen.traceparent).toBe(`00-${TRACE_ID}-${span.spanContext().spanId}-01`);
    expect(seen.operationId).toBe(TRACE_ID);
  });

  it('chains: what one handler injects, the next continues, so every hop shares the trace id', async () => {
    const first = await runWithTraceparent(undefined, 'startScan', async () => currentTraceparent(), {
      kind: 'request',
    });
    expect(isTraceparent(first)).toBe(true);
    const second = await runWithTraceparent(first, 'page', async () => currentTraceparent(), {
      kind: 'consumer',
    });
    await runWithTraceparent(second, 'finalizeScan', async () => undefined, { kind: 'consumer' });
    const ids = ['startScan', 'page', 'finalizeScan'].map((n) => spanNamed(n).spanContext().traceId);
    expect(new Set(ids).size).toBe(1);
    expect(spanNamed('page').parentSpanContext?.spanId).toBe(spanNamed('startScan').spanContext().spanId);
    expect(spanNamed('finalizeScan').parentSpanContext?.spanId).toBe(spanNamed('page').spanContext().spanId);
    expect(spanNamed('startScan').kind).toBe(SpanKind.SERVER);
  });

  it('starts a new trace for a missing or malformed traceparent', async () => {
    await runWithTraceparent(undefined, 'a', async () => undefined, { kind: 'consumer' });
    await runWithTraceparent('00-zz-yy-01', 'b', async () => undefined, { kind: 'consumer' });
    const a = spanNamed('a');
    const b = spanNamed('b');
    expect(a.parentSpanContext).toBeUndefined();
    expect(b.parentSpanContext).toBeUndefined();
    expect(a.spanContext().traceId).not.toBe(b.spanContext().traceId);
  });

  it('a request under a local request span (the local HTTP server) is an internal child of it, whatever the header says', async () => {
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('POST', { kind: SpanKind.SERVER }, async (server) => {
      setRequestRoute('/api/scans');
      await runWithTraceparent(TRACEPARENT, 'startScan', async () => undefined, {
        kind: 'request',
        preferActive: true,
      });
      server.end();
    });
    const handler = spanNamed('startScan');
    const server = spanNamed('POST');
    expect(server.attributes['http.route']).toBe('/api/scans');
    expect(handler.kind).toBe(SpanKind.INTERNAL);
    expect(handler.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(handler.spanContext().traceId).toBe(server.spanContext().traceId);
  });

  it('a request with only a remote parent (the Functions host) is a server span continuing it', async () => {
    await runWithTraceparent(TRACEPARENT, 'startScan', async () => undefined, {
      kind: 'request',
      preferActive: true,
    });
    const span = spanNamed('startScan');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(TRACE_ID);
  });

  it('records a failure on the span and rethrows it', async () => {
    await expect(
      runWithTraceparent(
        TRACEPARENT,
        'failing',
        async () => {
          throw new Error('listing failed');
        },
        { kind: 'consumer' },
      ),
    ).rejects.toThrow('listing failed');
    const span = spanNamed('failing');
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'listing failed' });
    expect(span.events.map((e) => e.name)).toContain('exception');
  });

  it('host machinery runs untraced, and a handler called from it is traced again', async () => {
    await withoutTracing(async () => {
      expect(trace.getTracer('test').startSpan('polling').isRecording()).toBe(false);
      expect(currentTraceparent()).toBeUndefined();
      await runWithTraceparent(undefined, 'handler', async () => undefined, { kind: 'consumer' });
    });
    expect(spanNamed('handler').kind).toBe(SpanKind.CONSUMER);
    expect(tracing.spans().map((s) => s.name)).not.toContain('polling');
  });

  it('outside any span there is no traceparent to hand on', () => {
    expect(currentTraceparent()).toBeUndefined();
    expect(currentOperationId()).toBeUndefined();
  });
});
