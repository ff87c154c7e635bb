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
