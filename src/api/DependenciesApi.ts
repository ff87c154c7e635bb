import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { DependencyStore } from '../dependencies/DependencyStore';
import type { Edge } from '../dependencies/Edge';
import { APPLICATION_TYPE } from '../dependencies/applicationRules';
import { loadIndex, type ApplicationLinks } from '../dependencies/updateDependencies';
import { taggedApplication } from '../devops/inferApplications';
import type { GraphNode } from '../dependencies/GraphNode';
import { walkDependencies, type WalkedEdge } from '../dependencies/walkDependencies';
import { locateResourceKey, resourceKeyFromId } from '../storage/keys';
import type { ReadCache } from './ResourcesApi';
import { RESOURCES_CACHE_NAMESPACE } from './ResourcesApi';
import { parseOrThrow, resourceGroupSchema, subscriptionIdSchema, wholeNumberSchema } from './validation';

/** An ARM id, an `external:<host>` node id, or a resource's API key (turned into its id). */
const resourceRefSchema = z
  .string()
  .min(1)
  .max(2000)
  .transform((v, ctx) => {
    if (v.startsWith('/') || v.startsWith('external:')) return v;
    const located = locateResourceKey(v);
    if (located) return located.id;
    ctx.addIssue({
      code: 'custom',
      message:
        'must be an ARM resource id (/subscriptions/...), an external:<host> node id, or a resource key',
    });
    return z.NEVER;
  });

export const dependenciesQuerySchema = z
  .object({
    resourceId: resourceRefSchema,
    direction: z
      .enum(['out', 'in'], { message: 'must be "out" (what it depends on) or "in" (what depends on it)' })
      .optional(),
    depth: wholeNumberSchema(1, 10).optional(),
  })
  .strict();

export const graphQuerySchema = z
  .object({
    subscriptionId: subscriptionIdSchema.optional(),
    resourceGroup: resourceGroupSchema.optional(),
    application: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((q) => !q.resourceGroup || q.subscriptionId, {
    message: 'resourceGroup needs subscriptionId (resource group names repeat across subscriptions)',
  });

export interface GraphView {
  nodes: Array<GraphNode & { key?: string; application?: string }>;
  edges: Edge[];
}

/** `GET /api/dependencies`, `GET /api/graph` and a resource's own edges. */
export class DependenciesApi {
  /**
   * The last graph answered, at the cache version it was read at. The page asks for the same
   * graph on every visit between two scans; at 10,000 resources it is 12 MB of JSON, and reading
   * it back from Redis (fetch, gunzip, JSON.parse) costs more than keeping one answer per process.
   * Kept only while Redis can tell the version, so a scan's bump is seen by every instance.
   * Shared by the requests that get it: the routes only serialize it.
   */
  private keptGraph?: { version: number; query: string; answer: Promise<GraphView> };

  constructor(
    private readonly store: DependencyStore,
    private readonly resources: TableClient,
    private readonly cache: ReadCache,
    /** The inferred applications, when Azure DevOps discovery is on. */
    private readonly applications?: () => Promise<ApplicationLinks[]>,
  ) {}

  private async lastSeen(): Promise<string | undefined> {
    return (await this.store.meta())?.scanId;
  }

  async of(resourceId: string): Promise<{ outgoing: Edge[]; incoming: Edge[] }> {
    return this.cache.cached(
      RESOURCES_CACHE_NAMESPACE,
      { op: 'edges', id: resourceId.toLowerCase() },
      async () => {
        const last = await this.lastSeen();
        const [outgoing, incoming] = await Promise.all([
          this.store.outgoing(resourceId, last),
          this.store.incoming(resourceId, last),
        ]);
        return { outgoing, incoming };
      },
    );
  }

  async query(rawQuery: Record<string, string>): Promise<{ items: WalkedEdge[] }> {
    const q = parseOrThrow(dependenciesQuerySchema, rawQuery, 'query');
    const direction = q.direction ?? 'out';
    const depth = q.depth ?? 1;
    return this.cache.cached(
      RESOURCES_CACHE_NAMESPACE,
      { op: 'deps', id: q.resourceId.toLowerCase(), direction, depth },
      async () => {
        const last = await this.lastSeen();
        const items = await walkDependencies(q.resourceId, direction, depth, (id) =>
          direction === 'out' ? this.store.outgoing(id, last) : this.store.incoming(id, last),
        );
        return { items };
      },
    );
  }

  async graph(rawQuery: Record<string, string>): Promise<GraphView> {
    const q = parseOrThrow(graphQuerySchema, rawQuery, 'query');
    const version = (await this.cache.version?.(RESOURCES_CACHE_NAMESPACE)) ?? 0;
    if (version === 0) return this.readGraph(q);
    const query = JSON.stringify([q.subscriptionId, q.resourceGroup, q.application]);
    const kept = this.keptGraph;
    if (kept && kept.version === version && kept.query === query) return kept.answer;
    const answer = this.readGraph(q);
    this.keptGraph = { version, query, answer };
    // A failed read is not kept: the next request tries again.
    answer.catch(() => {
      if (this.keptGraph?.answer === answer) this.keptGraph = undefined;
    });
    return answer;
  }

  private async readGraph(q: z.infer<typeof graphQuerySchema>): Promise<GraphView> {
    return this.cache.cached(RESOURCES_CACHE_NAMESPACE, { op: 'graph', ...q }, async () => {
      const prefix = q.subscriptionId
        ? `/subscriptions/${q.subscriptionId}/${q.resourceGroup ? `resourcegroups/${q.resourceGroup.toLowerCase()}/` : ''}`
        : '';
      const [index, edges] = await Promise.all([
        loadIndex(this.resources, this.applications),
        this.store.all(q, await this.lastSeen()),
      ]);
      const inScope = (id: string) => id.toLowerCase().startsWith(prefix);
      const wantedApp = q.application?.toLowerCase();
      const nodes = new Map<string, GraphView['nodes'][number]>();
      for (const r of index.resources()) {
        if (r.type === APPLICATION_TYPE) {
          // An inferred application belongs to no subscription: drawn in the estate's graph, or its own.
          if (!prefix && (!wantedApp || r.name.toLowerCase() === wantedApp))
            nodes.set(r.id, { ...index.node(r.id), application: r.name.toLowerCase() });
          continue;
        }
        if (!inScope(r.id)) continue;
        // Named as inference names applications, so `?application=` matches GET /api/applications.
        const application = taggedApplication(r.tags);
        if (wantedApp && application !== wantedApp) continue;
        nodes.set(r.id.toLowerCase(), {
          ...index.node(r.id),
          key: resourceKeyFromId(r.id),
          ...(application ? { application } : {}),
        });
      }
      if (!wantedApp)
        for (const s of index.subnetNodes()) if (inScope(s.id)) nodes.set(s.id.toLowerCase(), s);
      const kept = edges.filter((e) => nodes.has(e.sourceId.toLowerCase()));
      // The far ends outside the scope (another group, an external host) are drawn too, marked.
      for (const e of kept) {
        const t = e.targetId.toLowerCase();
        if (!nodes.has(t)) nodes.set(t, index.node(e.targetId));
      }
      return { nodes: [...nodes.values()], edges: kept };
    });
  }
}
