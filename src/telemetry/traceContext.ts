import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
} from '@opentelemetry/api';
import { suppressTracing, unsuppressTracing } from '@opentelemetry/core';

/**
 * W3C trace context for handlers: each handler continues the trace it was given (the
 * `traceparent` of a queue message, of an HTTP request, of a timer invocation) in a span of its
 * own, and hands `currentTraceparent()` on to the messages it sends. So one scan — the request
 * or timer, every page, every SDK call, the finalize — is one trace: one App Insights
 * operation id. Without a registered tracer provider (telemetry off) this costs a no-op span.
 */

const TRACER_NAME = 'topdeck';
const OPERATION_NAME_ATTRIBUTE = 'ai.operation.name';
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/**
 * `request`: the handler is the operation's entry (an HTTP request, a timer) — a server span,
 * or an internal one under a local request span already open (the local runtime's HTTP server).
 * `consumer`: a queue message's handler; App Insights shows it as a request of the operation.
 */
export type HandlerSpanKind = 'request' | 'consumer' | 'internal';

export interface RunWithTraceparentOptions {
  kind?: HandlerSpanKind;
  /** Continue the active span, when there is one, rather than `traceparent` (HTTP: the request span already read the header). */
  preferActive?: boolean;
  attributes?: Attributes;
}

/** True for a well-formed W3C traceparent (version-traceid-spanid-flags, lower-case hex). */
export function isTraceparent(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    TRACEPARENT.test(value) &&
    !value.startsWith('ff-') &&
    !/^[\da-f]{2}-0{32}-/.test(value) &&
    !/-0{16}-[\da-f]{2}$/.test(value)
  );
}

/** The context a W3C traceparent describes, on top of ROOT (nothing of the caller's context leaks in). */
export function contextFromTraceparent(traceparent: string | undefined): Context | undefined {
  if (!isTraceparent(traceparent)) return undefined;
  const extracted = propagation.extract(ROOT_CONTEXT, { traceparent });
  return trace.getSpanContext(extracted) ? extracted : undefined;
}

function hasLocalSpan(ctx: Context): boolean {
  const span = trace.getSpan(ctx);
  const sc = span?.spanContext();
  return Boolean(span && sc && !sc.isRemote && span.isRecording());
}

/**
 * Runs `fn` in a new span named `name` that continues `traceparent` (or the active trace when
 * it is absent or malformed, or when `preferActive` and a span is active). Errors are recorded
 * on the span (App Insights: a failed request and an exception) and rethrown.
 */
export async function runWithTraceparent<T>(
  traceparent: string | undefined,
  name: string,
  fn: () => Promise<T> | T,
  options: RunWithTraceparentOptions = {},
): Promise<T> {
  const active = unsuppressTracing(context.active());
  const activeHasSpan = Boolean(trace.getSpanContext(active));
  const parent =
    (options.preferActive && activeHasSpan ? undefined : contextFromTraceparent(traceparent)) ?? active;
  const kind =
    options.kind === 'consumer'
      ? SpanKind.CONSUMER
      : options.kind === 'internal' || (options.kind === 'request' && hasLocalSpan(parent))
        ? SpanKind.INTERNAL
        : SpanKind.SERVER;
  // A consumer span's App Insights request takes its name from this attribute (a server span's from the span name).
  const attributes =
    kind === SpanKind.CONSUMER
      ? { [OPERATION_NAME_ATTRIBUTE]: name, ...options.attributes }
      : options.attributes;
  const tracer = trace.getTracer(TRACER_NAME);
  return tracer.startActiveSpan(name, { kind, attributes }, parent, async (span) => {
    try {
      return await fn();
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      throw e;
    } finally {
      span.end();
    }
  });
}

/** The traceparent of the active span, to put into outgoing queue messages; undefined without one. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return isTraceparent(carrier.traceparent) ? carrier.traceparent : undefined;
}

/** The trace id of the active span: the App Insights operation id. */
export function currentOperationId(): string | undefined {
  const sc = trace.getSpanContext(context.active());
  return sc && trace.isSpanContextValid(sc) ? sc.traceId : undefined;
}

/** Names the active incoming-request span after its route template (App Insights: "POST /api/scans"). */
export function setRequestRoute(route: string): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttribute('http.route', route);
}

/** Runs `fn` with tracing suppressed: host machinery (queue polling) that is no operation's work. */
export function withoutTracing<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}
