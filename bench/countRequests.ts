import http from 'node:http';

export interface RequestCounts {
  total: number;
  /** `<method> <table>` (a batch: `POST $batch`, a query: `GET <table>()`), with the count. */
  byKind: Record<string, number>;
}

/**
 * Counts HTTP requests this process sends to one port (Azurite's table endpoint): the Table
 * transactions of a run, by method and table. Patched at the `http` module the storage SDK's
 * Node client calls.
 */
export function countRequestsTo(port: number): () => RequestCounts {
  const counts: RequestCounts = { total: 0, byKind: {} };
  const original = http.request;
  const patched = ((...args: Parameters<typeof http.request>) => {
    const target = args[0] as unknown;
    const url =
      typeof target === 'string'
        ? new URL(target)
        : target instanceof URL
          ? target
          : (target as { port?: unknown; path?: string; method?: string } | undefined);
    const port_ = url instanceof URL ? url.port : url?.port;
    if (Number(port_) === port) {
      counts.total++;
      const method = (url instanceof URL ? 'GET' : url?.method) ?? 'GET';
      const path = (url instanceof URL ? url.pathname : (url?.path ?? '')).split('?')[0] ?? '';
      // /<account>/<table>(PartitionKey='..',RowKey='..') -> <table>(key), <table>() a query
      const table = path.split('/')[2] ?? '';
      const kind = `${method} ${table.replace(/\(.+\)$/, '(key)')}`;
      counts.byKind[kind] = (counts.byKind[kind] ?? 0) + 1;
    }
    return original(...args);
  }) as typeof http.request;
  http.request = patched;
  return () => ({ total: counts.total, byKind: { ...counts.byKind } });
}
