import { AsyncLocalStorage } from 'node:async_hooks';
import { redact, redactText } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Context of the operation under way (a scan, a page, an HTTP request); per async flow, never global. */
export interface OperationContext {
  correlationId?: string;
  traceparent?: string;
  [field: string]: unknown;
}

const operationStore = new AsyncLocalStorage<OperationContext>();

/** Runs fn with fields added to the current operation context (inherits the outer ones). */
export function withOperation<T>(fields: OperationContext, fn: () => T): T {
  return operationStore.run({ ...operationStore.getStore(), ...fields }, fn);
}

export function currentOperation(): OperationContext {
  return operationStore.getStore() ?? {};
}

export type LogSink = (line: string, level: LogLevel) => void;

const defaultSink: LogSink = (line, level) => {
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line + '\n');
};

let sink: LogSink = defaultSink;
let minLevel: LogLevel = (process.env.TOPDECK_LOG_LEVEL as LogLevel | undefined) ?? 'info';
const listeners = new Set<(entry: Record<string, unknown>) => void>();

/** Replaces where log lines go (tests capture them; the local runtime keeps the terminal tidy). */
export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? defaultSink;
}

export function setLogLevel(level: LogLevel): void {
  minLevel = level;
}

/** Observers of every entry (telemetry forwards them to Application Insights). */
export function onLogEntry(listener: (entry: Record<string, unknown>) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(name: string, context: Record<string, unknown> = {}): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < LEVELS[minLevel]) return;
    const op = operationStore.getStore() ?? {};
    const { traceparent: _tp, ...opFields } = op;
    const entry = redact({
      timestamp: new Date().toISOString(),
      level,
      logger: name,
      message: redactText(message),
      correlationId: op.correlationId ?? null,
      ...context,
      ...opFields,
      ...fields,
    }) as Record<string, unknown>;
    for (const l of listeners) {
      try {
        l(entry);
      } catch {
        // A telemetry listener must never break logging.
      }
    }
    sink(JSON.stringify(entry), level);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (fields) => createLogger(name, { ...context, ...fields }),
  };
}
