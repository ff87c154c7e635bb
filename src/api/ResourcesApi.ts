import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { notFoundError, validationError } from '../errors/TopDeckError';
import {
  locateResourceKey,
  odataString,
  prefixFilter,
  resourcePartitionKey,
  resourceTypePartitionPrefix,
} from '../storage/keys';
import { entityToResource } from '../storage/resourceEntity';
import { getEntityOrUndefined } from '../storage/tables';
import type { Resource } from '../discovery/Resource';
import type { Edge } from '../dependencies/Edge';
import type { CoverageRow } from '../scan/ScanRecords';
import { readSearchRows, searchResources, type SearchRow } from './searchResources';
import { coverageMap, withCoverage } from './withCoverage';
import {
  continuationTokenSchema,
  pageLimitSchema,
  parseOrThrow,
  resourceGroupSchema,
  resourceTypeSchema,
  searchTextSchema,
  subscriptionIdSchema,
} from './validation';

/** The read-through cache port the API needs (src/cache implements it; a no-op when Redis is absent). */
export interface ReadCache {
  cached<T>(namespace: string, args: unknown, compute: () => Promise<T>, ttlSeconds?: number): Promise<T>;
  /** The namespace's version (bumped by every write the cached reads depend on); 0 = unknown. */
  version?(namespace: string): Promise<number>;
}

export const RESOURCES_CACHE_NAMESPACE = 'api:resources';

export const listResourcesQuerySchema = z
  .object({
    subscriptionId: subscriptionIdSchema.optional(),
    type: resourceTypeSchema.optional(),
    resourceGroup: resourceGroupSchema.optional(),
    limit: pageLimitSchema.optional(),
    continuationToken: continuationTokenSchema.optional(),
    q: searchTextSchema.optional(),
  })
  .strict()
  .refine((v) => !(v.q && v.continuationToken), {
    message:
      'q answers its best matches in one page and has no continuationToken; narrow q or raise limit (up to 1000) instead',
  });

export type ListResourcesQuery = z.input<typeof listResourcesQuerySchema>;

export interface ResourcePage {
  items: Resource[];
  continuationToken?: string;
}

/** Continuation tokens are bound to the filter they were issued for. */
function encodeToken(sdkToken: string, filter: string): string {
  return Buffer.from(JSON.stringify({ t: sdkToken, f: filterHash(filter) }), 'utf8').toString('base64url');
}

function decodeToken(token: string, filter: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const p = parsed as { t?: unknown; f?: unknown } | undefined;
  if (!p || typeof p.t !== 'string' || typeof p.f !== 'string') {
    throw validationError(
      'invalid continuationToken: pass back exactly the continuationToken of the previous page',
    );
  }
  if (p.f !== filterHash(filter)) {
    throw validationError(
      'invalid continuationToken: it belongs to a query with other filters; repeat the same filters',
    );
  }
  return p.t;
}

function filterHash(filter: string): string {
  return createHash('sha1').update(filter).digest('base64url').slice(0, 12);
}

/** The ports a resource read needs besides its table: the coverage rows and its edges. */
export interface ResourceReadPorts {
  coverage: () => Promise<CoverageRow[]>;
  dependencies: (id: string) => Promise<{ outgoing: Edge[]; incoming: Edge[] }>;
}

export class ResourcesApi {
  /**
   * The search's rows of the last filter searched, at the cache version they were read at: as you
   * type, each new text is a new question, and at 10,000 resources a scan costs about a second
   * where ranking these rows costs milliseconds. Kept only while Redis can tell the version (every
   * write bumps it); without it, every search scans.
   */
  private searchRows?: { version: number; filter: string; rows: Promise<SearchRow[]> };

  constructor(
    private readonly resources: TableClient,
    private readonly cache: ReadCache,
    private readonly ports: ResourceReadPorts,
  ) {}

  async list(rawQuery: Record<string, string>): Promise<ResourcePage> {
    const q = parseOrThrow(listResourcesQuerySchema, rawQuery, 'query');
    const filters: string[] = [];
    if (q.subscriptionId && q.type && q.resourceGroup) {
      filters.push(
        `PartitionKey eq ${odataString(resourcePartitionKey(q.subscriptionId, q.type, q.resourceGroup))}`,
      );
    } else {
      if (q.subscriptionId && q.type)
        filters.push(prefixFilter('PartitionKey', resourceTypePartitionPrefix(q.subscriptionId, q.type)));
      else if (q.subscriptionId) filters.push(prefixFilter('PartitionKey', `${q.subscriptionId}|`));
      // any casing of a type: the generic list keeps Azure's spelling, which varies by type
      else if (q.type) filters.push(`typeLower eq ${odataString(q.type.toLowerCase())}`);
      if (q.resourceGroup)
        filters.push(`resourceGroupLower eq ${odataString(q.resourceGroup.toLowerCase())}`);
    }
    const filter = filters.join(' and ');
    if (q.q !== undefined) {
      const text = q.q;
      const limit = q.limit ?? 20;
      return this.cache.cached(RESOURCES_CACHE_NAMESPACE, { op: 'search', filter, text, limit }, async () => {
        const [found, coverage] = await Promise.all([
          this.rowsToSearch(filter).then((rows) => searchResources(this.resources, rows, text, limit)),
          this.ports.coverage().then(coverageMap),
        ]);
        return { items: found.map((f) => withCoverage(f.resource, f.partitionKey, coverage)) };
      });
    }
    const sdkToken = q.continuationToken ? decodeToken(q.continuationToken, filter) : undefined;
    const limit = q.limit ?? 100;
    return this.cache.cached(RESOURCES_CACHE_NAMESPACE, { op: 'list', filter, sdkToken, limit }, async () => {
      const pages = this.resources
        .listEntities({ queryOptions: filter ? { filter } : {} })
        .byPage({ maxPageSize: limit, continuationToken: sdkToken });
      let page;
      try {
        page = await pages.next();
      } catch (e) {
        if ((e as { statusCode?: number }).statusCode === 400 && sdkToken) {
          throw validationError(
            'invalid continuationToken: the storage service rejected it; start again without one',
          );
        }
        throw e;
      }
      const entities = page.done ? [] : page.value;
      const coverage = coverageMap(await this.ports.coverage());
      const items = entities
        .filter((e) => typeof e.id === 'string' && e.id)
        .map((e) => withCoverage(entityToResource(e), e.partitionKey as string, coverage));
      const next = page.done ? undefined : page.value.continuationToken;
      return next ? { items, continuationToken: encodeToken(next, filter) } : { items };
    });
  }

  private async rowsToSearch(filter: string): Promise<SearchRow[]> {
    const version = (await this.cache.version?.(RESOURCES_CACHE_NAMESPACE)) ?? 0;
    if (version === 0) return readSearchRows(this.resources, filter);
    const kept = this.searchRows;
    if (kept && kept.version === version && kept.filter === filter) return kept.rows;
    const rows = readSearchRows(this.resources, filter);
    this.searchRows = { version, filter, rows };
    // A failed read is not kept: the next search tries again.
    rows.catch(() => {
      if (this.searchRows?.rows === rows) this.searchRows = undefined;
    });
    return rows;
  }

  async get(key: string): Promise<Resource & { dependencies: { outgoing: Edge[]; incoming: Edge[] } }> {
    const location = locateResourceKey(key);
    if (!location)
      throw notFoundError(
        `no resource has key "${key}"; use the key field of an item from GET /api/resources`,
      );
    const resource = await this.cache.cached(RESOURCES_CACHE_NAMESPACE, { op: 'get', key }, async () => {
      const entity = await getEntityOrUndefined(this.resources, location.partitionKey, location.rowKey);
      if (!entity || typeof entity.id !== 'string' || !entity.id) return null;
      const coverage = coverageMap(await this.ports.coverage());
      return withCoverage(entityToResource(entity), location.partitionKey, coverage);
    });
    if (!resource)
      throw notFoundError(`no resource with key "${key}" (id ${location.id}) has been discovered`);
    return { ...resource, dependencies: await this.ports.dependencies(resource.id) };
  }
}
