import type { TableClient } from '@azure/data-tables';
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';

export interface RequestCounts {
  total: number;
  /** Requests by kind, as `kindOf` names them. */
  byKind: Record<string, number>;
}

/** A Table request's kind: `<method> <table>` (a batch: `POST $batch`; a query: `GET <table>()`). */
export function tableRequestKind(method: string, path: string): string {
  // /<account>/<table>(PartitionKey='..',RowKey='..') -> <table>(key)
  const table = path.split('/')[2] ?? '';
  return `${method} ${table.replace(/\(.+\)$/, '(key)')}`;
}

/**
 * Counts the HTTP requests this process sends to one port (Azurite's table endpoint, the
 * Resource Manager emulator), by kind. Patched at the `http`/`https` module the SDKs' Node
 * client calls.
 */
export function countRequestsTo(
  port: number,
  kindOf: (method: string, path: string) => string,
  mod: typeof http | typeof https = http,
): () => RequestCounts {
  const counts: RequestCounts = { total: 0, byKind: {} };
  const original = mod.request;
  const patched = ((...args: Parameters<typeof http.request>) => {
    const target = args[0] as unknown;
    const url =
      typeof target === 'string'
        ? new URL(target)
        : target instanceof URL
          ? target
          : (target as { port?: unknown; path?: string; method?: string } | undefined);
    const targetPort = url instanceof URL ? url.port : url?.port;
    if (Number(targetPort) === port) {
      counts.total++;
      const method = (url instanceof URL ? 'GET' : url?.method) ?? 'GET';
      const path = (url instanceof URL ? url.pathname : (url?.path ?? '')).split('?')[0] ?? '';
      const kind = kindOf(method, path);
      counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    }
    return (original as typeof http.request)(...args);
  }) as typeof http.request;
  (mod as { request: typeof http.request }).request = patched;
  return () => ({ total: counts.total, byKind: { ...counts.byKind } });
}

/** Entity writes seen on one TableClient's pipeline: transactions by size, single writes. */
export interface EntityWrites {
  /** Entities written: every upsert or insert, in a transaction or alone (deletes not counted). */
  count(): number;
  /** Each transaction's entity writes, in the order sent. */
  transactions: number[];
  stop(): void;
}

const WRITE_LINE = /^(PATCH|PUT|POST|MERGE) \S+ HTTP\/1\.1\r?$/gm;

/**
 * Counts what a TableClient writes, read off the requests on its pipeline (after serialization,
 * before retries: one count per call), whichever way they were sent: the SDK's transactions,
 * `upsertTransaction`, single upserts and inserts.
 */
export function countEntityWrites(table: TableClient): EntityWrites {
  const name = `countEntityWrites-${Math.random().toString(36).slice(2)}`;
  let singles = 0;
  const transactions: number[] = [];
  table.pipeline.addPolicy({
    name,
    sendRequest(request, next) {
      const path = new URL(request.url).pathname;
      if (path.endsWith('/$batch'))
        transactions.push(String(request.body ?? '').match(WRITE_LINE)?.length ?? 0);
      else if (['PATCH', 'PUT', 'POST', 'MERGE'].includes(request.method) && !/\/Tables(\(|$)/.test(path))
        singles++;
      return next(request);
    },
  });
  return {
    count: () => singles + transactions.reduce((a, b) => a + b, 0),
    transactions,
    stop: () => table.pipeline.removePolicy({ name }),
  };
}

/** A Table call's kind: `<table> <operation>` (batch, query, get, insert, upsert, merge, delete). */
function tableOperation(method: string, path: string): string {
  if (path.endsWith('/$batch')) return 'batch';
  const keyed = /\(PartitionKey=/.test(decodeURIComponent(path));
  switch (method) {
    case 'GET':
      return keyed ? 'get' : 'query';
    case 'POST':
      return 'insert';
    case 'PUT':
      return 'upsert';
    case 'PATCH':
    case 'MERGE':
      return 'merge';
    case 'DELETE':
      return 'delete';
    default:
      return method;
  }
}

/**
 * Table calls by table and operation, on the given clients' pipelines (one count per call, before
 * retries). Calls made inside `apart(fn)` (a harness's own polling) are counted under `harness`.
 */
export function countTableOperations(tables: TableClient[]): {
  counts: () => Record<string, number>;
  apart: <T>(fn: () => Promise<T>) => Promise<T>;
} {
  const byKind: Record<string, number> = {};
  const harness = new AsyncLocalStorage<boolean>();
  for (const table of tables)
    table.pipeline.addPolicy({
      name: 'countTableOperations',
      sendRequest(request, next) {
        const kind = harness.getStore()
          ? 'harness'
          : `${table.tableName} ${tableOperation(request.method, new URL(request.url).pathname)}`;
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        return next(request);
      },
    });
  return { counts: () => ({ ...byKind }), apart: (fn) => harness.run(true, fn) };
}
