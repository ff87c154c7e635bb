import type { TableClient } from '@azure/data-tables';
import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Where a scan's time goes, for a benchmark running the scan in its own process: named steps
 * (a function of a module or a class's prototype, wrapped in place: the compiled CommonJS code
 * looks its imports up at each call) timed call by call, and every Table request counted by
 * table and operation under the innermost step running when it was sent. Times are summed over
 * concurrent calls (busy time, not wall time); a step's time includes the steps it calls.
 */
export interface PhaseTimings {
  /** Wraps `target[name]` (a function) as the step `label`. */
  wrap(target: object, name: string, label: string): void;
  /** Counts the Table requests of these clients (and their summed latency) by step. */
  watchTables(tables: TableClient[]): void;
  /** Runs `fn` as the step `label` (the harness's own polling, counted apart). */
  run<T>(label: string, fn: () => Promise<T>): Promise<T>;
  /** Marks the start of the measured run: steps' first start and last end are counted from it. */
  start(): void;
  report(): PhaseReport;
}

export interface PhaseReport {
  /** Calls, summed busy ms, and the first start and last end (ms since `start()`). */
  steps: Record<string, { calls: number; ms: number; firstMs: number; lastMs: number }>;
  /** `<step> <table> <operation>` → requests, summed latency in ms, and entities in transactions. */
  tables: Record<string, { requests: number; ms: number; entities: number }>;
}

const WRITE_LINE = /^(PATCH|PUT|POST|MERGE|DELETE) \S+ HTTP\/1\.1\r?$/gm;

function operation(method: string, path: string): string {
  if (path.endsWith('/$batch')) return 'batch';
  const keyed = /\(PartitionKey=/.test(decodeURIComponent(path));
  if (method === 'GET') return keyed ? 'get' : 'query';
  if (method === 'POST') return 'insert';
  if (method === 'PUT') return 'upsert';
  if (method === 'PATCH' || method === 'MERGE') return 'merge';
  return method === 'DELETE' ? 'delete' : method;
}

export function phaseTimings(): PhaseTimings {
  const current = new AsyncLocalStorage<string>();
  const steps: PhaseReport['steps'] = {};
  const tables: PhaseReport['tables'] = {};
  let origin = performance.now();
  return {
    run: (label, fn) => current.run(label, fn),
    start() {
      origin = performance.now();
      for (const k of Object.keys(steps)) delete steps[k];
      for (const k of Object.keys(tables)) delete tables[k];
    },
    wrap(target, name, label) {
      const holder = target as Record<string, unknown>;
      const original = holder[name];
      if (typeof original !== 'function') throw new Error(`phaseTimings: ${name} is not a function`);
      holder[name] = function (this: unknown, ...args: unknown[]) {
        const started = performance.now();
        const done = () => {
          const s = (steps[label] ??= { calls: 0, ms: 0, firstMs: started - origin, lastMs: 0 });
          s.calls++;
          s.ms += performance.now() - started;
          s.firstMs = Math.min(s.firstMs, started - origin);
          s.lastMs = Math.max(s.lastMs, performance.now() - origin);
        };
        const result = current.run(label, () => (original as (...a: unknown[]) => unknown).apply(this, args));
        if (result instanceof Promise) return result.finally(done);
        done();
        return result;
      };
    },
    watchTables(clients) {
      for (const table of clients)
        table.pipeline.addPolicy({
          name: 'phaseTimings',
          async sendRequest(request, next) {
            const path = new URL(request.url).pathname;
            const op = operation(request.method, path);
            const key = `${current.getStore() ?? 'other'} ${table.tableName} ${op}`;
            const entities = op === 'batch' ? (String(request.body ?? '').match(WRITE_LINE)?.length ?? 0) : 0;
            const started = performance.now();
            try {
              return await next(request);
            } finally {
              const t = (tables[key] ??= { requests: 0, ms: 0, entities: 0 });
              t.requests++;
              t.ms += performance.now() - started;
              t.entities += entities;
            }
          },
        });
    },
    report: () => ({ steps: structuredClone(steps), tables: structuredClone(tables) }),
  };
}

/** The report as lines: steps by busy time, then Table requests by step, table and operation. */
export function formatPhaseReport(r: PhaseReport): string[] {
  const lines: string[] = [];
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  for (const [label, v] of Object.entries(r.steps).sort((a, b) => b[1].ms - a[1].ms))
    lines.push(
      `    ${label.padEnd(28)} ${String(v.calls).padStart(6)} calls  ${s(v.ms).padStart(9)} busy  from ${s(v.firstMs)} to ${s(v.lastMs)}`,
    );
  lines.push('    Table requests by step (requests, entities in transactions, summed latency):');
  for (const [key, v] of Object.entries(r.tables).sort((a, b) => b[1].ms - a[1].ms))
    lines.push(
      `    ${key.padEnd(44)} ${String(v.requests).padStart(6)}${v.entities ? ` (${v.entities} entities)` : ''}  ${s(v.ms)}`,
    );
  return lines;
}
