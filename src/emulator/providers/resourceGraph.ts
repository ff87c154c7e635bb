/**
 * Microsoft.ResourceGraph: the tenant-level query route (POST), for the one query TopDeck sends
 * today: counts by subscription and type.
 */
import type { EmulatorProvider, ProviderRouteContext, RouteReply } from '../EmulatorProvider';

export const resourceGraphProvider: EmulatorProvider = {
  namespace: 'Microsoft.ResourceGraph',
  match: (_segments, s, method) =>
    method === 'POST' && s.join('/') === 'providers/microsoft.resourcegraph/resources'
      ? { name: 'resourceGraph.query', method: 'POST', serve: (ctx, request) => query(ctx, request.body) }
      : undefined,
};

function query(ctx: ProviderRouteContext, body: unknown): RouteReply {
  const req = (body ?? {}) as { subscriptions?: unknown; query?: unknown };
  const text = typeof req.query === 'string' ? req.query : '';
  if (!/summarize\s+count_\s*=\s*count\(\)\s+by\s+subscriptionId,\s*type\s*=\s*tolower\(type\)/i.test(text)) {
    return ctx.error(
      400,
      'BadRequest',
      'The emulator answers only: Resources | summarize count_=count() by subscriptionId, type=tolower(type)',
    );
  }
  const rg = /where\s+resourceGroup\s+=~\s+'([^']*)'/i.exec(text)?.[1]?.toLowerCase();
  const wanted = new Set(
    Array.isArray(req.subscriptions) ? req.subscriptions.map((s) => String(s).toLowerCase()) : [],
  );
  const data: Array<{ subscriptionId: string; type: string; count_: number }> = [];
  for (const index of ctx.subscriptions()) {
    const sub = index.sub.subscriptionId;
    if (wanted.size && !wanted.has(sub.toLowerCase())) continue;
    const counts = new Map<string, number>();
    for (const r of index.all()) if (!rg || r.rg === rg) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    for (const [type, count_] of counts) data.push({ subscriptionId: sub, type, count_ });
  }
  return {
    status: 200,
    body: { totalRecords: data.length, count: data.length, resultTruncated: 'false', facets: [], data },
  };
}
