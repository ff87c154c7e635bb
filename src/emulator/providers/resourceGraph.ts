/**
 * Resource Graph in the demo emulator: `POST /providers/Microsoft.ResourceGraph/resources`, for
 * the queries TopDeck sends (counts by subscription and type; rows of given types, see
 * resourceGraphRows.ts), answered in the official examples'
 * shape (`{totalRecords, count, data, facets, resultTruncated, $skipToken?}`), from the same
 * generated estate, paged with `$skipToken`, and metered per caller as Azure does: a quota of
 * queries per window announced in `x-ms-user-quota-remaining` and `x-ms-user-quota-resets-after`
 * (hh:mm:ss), a 429 once it is spent.
 */
import type { EmulatorProvider, ProviderRouteContext, RouteReply } from '../EmulatorProvider';
import { graphRow, matchingEntries, parseRowsQuery, ROW_COLUMNS } from './resourceGraphRows';

export const resourceGraphProvider: EmulatorProvider = {
  namespace: 'Microsoft.ResourceGraph',
  match: (_segments, s, method) =>
    method === 'POST' && s.join('/') === 'providers/microsoft.resourcegraph/resources'
      ? {
          name: 'resourceGraph.query',
          method: 'POST',
          serve: (ctx, request) =>
            ctx
              .state(
                'resourceGraph',
                (options) =>
                  new ResourceGraphEmulation(
                    options.graphQuota ?? AZURE_GRAPH_QUOTA,
                    Math.min(1000, Math.max(1, options.graphPageSize ?? 1000)),
                  ),
              )
              .answer(ctx, request.body, request.caller),
        }
      : undefined,
};

export interface ResourceGraphQuota {
  /** Queries per window per caller; Azure: 15. */
  queries: number;
  /** Window length in milliseconds; Azure: 5,000. */
  windowMs: number;
}

export const AZURE_GRAPH_QUOTA: ResourceGraphQuota = { queries: 15, windowMs: 5000 };

const COUNT_QUERY = /summarize\s+count_\s*=\s*count\(\)\s+by\s+subscriptionId,\s*type\s*=\s*tolower\(type\)/i;

/** `00:00:03` as Resource Graph writes the time until the quota resets. */
function hhmmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

export class ResourceGraphEmulation {
  private readonly windows = new Map<string, { startedAt: number; used: number }>();
  /** Queries answered and refused (429), for tests and benchmarks. */
  readonly counters = { queries: 0, throttled: 0 };

  constructor(
    private readonly quota: ResourceGraphQuota | false = AZURE_GRAPH_QUOTA,
    /** Rows per page, at most 1,000 as in Azure. */
    private readonly pageSize = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** One query of one caller (the bearer token stands for the user whose quota it spends). */
  answer(ctx: ProviderRouteContext, body: unknown, caller: string): RouteReply {
    const headers = this.meter(caller);
    if (!headers.ok) {
      this.counters.throttled++;
      return {
        ...ctx.error(
          429,
          'RateLimiting',
          'Please provide below info when asking for support: quota exceeded for this user.',
        ),
        headers: headers.headers,
      };
    }
    this.counters.queries++;
    const reply = this.query(ctx, body);
    return { ...reply, headers: headers.headers };
  }

  private meter(caller: string): { ok: boolean; headers: Record<string, string> } {
    if (!this.quota) return { ok: true, headers: {} };
    const now = this.now();
    let w = this.windows.get(caller);
    if (!w || now - w.startedAt >= this.quota.windowMs) {
      w = { startedAt: now, used: 0 };
      this.windows.set(caller, w);
    }
    const ok = w.used < this.quota.queries;
    if (ok) w.used++;
    return {
      ok,
      headers: {
        'x-ms-user-quota-remaining': String(Math.max(0, this.quota.queries - w.used)),
        'x-ms-user-quota-resets-after': hhmmss(w.startedAt + this.quota.windowMs - now),
      },
    };
  }

  private query(ctx: ProviderRouteContext, body: unknown): RouteReply {
    const req = (body ?? {}) as {
      subscriptions?: unknown;
      query?: unknown;
      options?: { $skipToken?: unknown; $top?: unknown };
    };
    const query = typeof req.query === 'string' ? req.query : '';
    const rowsQuery = COUNT_QUERY.test(query) ? undefined : parseRowsQuery(query);
    if (!COUNT_QUERY.test(query) && !rowsQuery) {
      return ctx.error(
        400,
        'BadRequest',
        `The emulator answers only: Resources | summarize count_=count() by subscriptionId, type=tolower(type); and Resources | where type in~ (...) and subscriptionId in~ (...) [and resourceGroup =~ '...'] | project ${ROW_COLUMNS.join(', ')} | order by id asc`,
      );
    }
    if (rowsQuery) return this.page(matchingEntries(ctx, rowsQuery), req.options, graphRow);
    const rg = /where\s+resourceGroup\s+=~\s+'([^']*)'/i.exec(query)?.[1]?.toLowerCase();
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
    return this.page(data, req.options, (r) => r);
  }

  /** One `$skipToken` page of a query's rows, each rendered only when on the page. */
  private page<T>(
    data: T[],
    options: { $skipToken?: unknown; $top?: unknown } | undefined,
    render: (entry: T) => unknown,
  ): RouteReply {
    const skip = Number(/^offset:(\d+)$/.exec(String(options?.$skipToken ?? ''))?.[1] ?? 0);
    const top = Math.min(this.pageSize, Number(options?.$top) || this.pageSize);
    const rows = data.slice(skip, skip + top).map(render);
    const next = skip + rows.length < data.length ? `offset:${skip + rows.length}` : undefined;
    return {
      status: 200,
      body: {
        totalRecords: data.length,
        count: rows.length,
        resultTruncated: 'false',
        facets: [],
        data: rows,
        ...(next ? { $skipToken: next } : {}),
      },
    };
  }
}
