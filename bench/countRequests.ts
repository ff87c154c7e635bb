import http from 'node:http';

/**
 * Counts HTTP requests this process sends to one port (Azurite's table endpoint): the Table
 * transactions of a run. Patched at the `http` module the storage SDK's Node client calls.
 */
export function countRequestsTo(port: number): () => number {
  let count = 0;
  const original = http.request;
  const patched = ((...args: Parameters<typeof http.request>) => {
    const target = args[0] as unknown;
    const p =
      typeof target === 'string'
        ? new URL(target).port
        : target instanceof URL
          ? target.port
          : (target as { port?: unknown } | undefined)?.port;
    if (Number(p) === port) count++;
    return original(...args);
  }) as typeof http.request;
  http.request = patched;
  return () => count;
}
