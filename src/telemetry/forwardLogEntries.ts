import type { AnyValueMap, Logger as OtelLogger } from '@opentelemetry/api-logs';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { onLogEntry } from './logger';

const SEVERITY: Record<string, SeverityNumber> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
};

/** Fields that become the record itself rather than attributes. */
const OWN_FIELDS = new Set(['timestamp', 'message', 'level']);

/**
 * A log entry (already redacted by the logger) as OpenTelemetry log attributes: strings, numbers
 * and booleans as they are, anything else as JSON. In App Insights they are the trace's custom
 * dimensions — `correlationId` among them.
 */
export function logAttributes(entry: Record<string, unknown>): AnyValueMap {
  const attributes: AnyValueMap = {};
  for (const [key, value] of Object.entries(entry)) {
    if (OWN_FIELDS.has(key) || value === null || value === undefined) continue;
    attributes[key] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value);
  }
  return attributes;
}

/**
 * Sends every log entry to `logger` (the App Insights log pipeline) from the caller's context,
 * so a line logged inside a handler's span carries the operation id. Returns the unsubscribe.
 */
export function forwardLogEntries(logger: OtelLogger): () => void {
  return onLogEntry((entry) => {
    const level = String(entry.level ?? 'info');
    const timestamp = typeof entry.timestamp === 'string' ? Date.parse(entry.timestamp) : NaN;
    logger.emit({
      severityNumber: SEVERITY[level] ?? SeverityNumber.INFO,
      severityText: level.toUpperCase(),
      body: String(entry.message ?? ''),
      attributes: logAttributes(entry),
      ...(Number.isFinite(timestamp) ? { timestamp } : {}),
    });
  });
}
