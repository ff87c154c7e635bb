import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * A real OpenTelemetry tracer provider for unit tests, registered globally (W3C propagator,
 * AsyncLocalStorage context manager) as Application Insights registers its own; spans are kept
 * in memory. Each vitest file runs in its own process (forks pool), so globals do not leak.
 */
export function registerTestTracing(): { spans(): ReadableSpan[]; reset(): void } {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  return { spans: () => exporter.getFinishedSpans(), reset: () => exporter.reset() };
}
