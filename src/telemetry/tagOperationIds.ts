import { OPERATION_ID_DIMENSION } from './operationMetrics';

/**
 * OpenTelemetry metrics carry no trace context, so the Azure Monitor exporter sends metric
 * envelopes without an operation id. TopDeck's operation metrics belong to one operation each
 * (the data point carries its trace id as a dimension); these helpers move that dimension into
 * the envelope's `ai.operation.id` tag, so a scan's metrics join its requests and traces.
 */
export interface EnvelopeLike {
  tags?: Record<string, string>;
  data?: { baseType?: string; baseData?: { properties?: Record<string, unknown> } };
}

/** Moves the operation-id dimension of each metric envelope into its tags (in place; tags objects are copied, the exporter shares one). */
export function tagOperationIds(envelopes: EnvelopeLike[]): void {
  for (const envelope of envelopes) {
    const properties = envelope.data?.baseData?.properties;
    const operationId = properties?.[OPERATION_ID_DIMENSION];
    if (typeof operationId !== 'string' || !operationId) continue;
    envelope.tags = { ...envelope.tags, [OPERATION_ID_DIMENSION]: operationId };
    delete properties[OPERATION_ID_DIMENSION];
  }
}

interface EnvelopeSender {
  exportEnvelopes(envelopes: EnvelopeLike[], ...rest: unknown[]): Promise<unknown>;
}

/**
 * Hooks `tagOperationIds` into an AzureMonitorMetricExporter's sender (its internal `_sender`:
 * the exporter has no public hook). Returns false when the exporter's shape has changed; then
 * the operation id still travels, as a custom dimension.
 */
export function tagMetricEnvelopes(exporter: object): boolean {
  const sender = (exporter as { _sender?: Partial<EnvelopeSender> })._sender;
  if (!sender || typeof sender.exportEnvelopes !== 'function') return false;
  const original = sender.exportEnvelopes.bind(sender);
  sender.exportEnvelopes = (envelopes: EnvelopeLike[], ...rest: unknown[]) => {
    tagOperationIds(envelopes);
    return original(envelopes, ...rest);
  };
  return true;
}
