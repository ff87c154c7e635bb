/**
 * Resource Graph meters queries per caller, apart from Resource Manager's reads: about 15 queries
 * per 5 seconds, announced on every answer in `x-ms-user-quota-remaining` and
 * `x-ms-user-quota-resets-after` (hh:mm:ss). It is its own bucket of the shared budget.
 */
export const RESOURCE_GRAPH_SCOPE = 'resourcegraph';

/** 15 queries per 5 s: a bucket of 15 refilling 3 a second. */
export const RESOURCE_GRAPH_BUCKET = { capacity: 15, refillPerSecond: 3 };

export function isResourceGraphUrl(url: string): boolean {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  return /\/providers\/Microsoft\.ResourceGraph\//i.test(path);
}

interface HeaderReader {
  get(name: string): string | undefined;
}

/** `x-ms-user-quota-resets-after` (`hh:mm:ss`, seconds may carry a fraction) in milliseconds. */
export function parseQuotaResetMs(headers: HeaderReader | undefined): number | undefined {
  const raw = headers?.get('x-ms-user-quota-resets-after')?.trim();
  const m = raw ? /^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(raw) : null;
  if (!m) return undefined;
  const ms = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** `x-ms-user-quota-remaining`: queries left in the current window. */
export function parseQuotaRemaining(headers: HeaderReader | undefined): number | undefined {
  const raw = headers?.get('x-ms-user-quota-remaining')?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}
