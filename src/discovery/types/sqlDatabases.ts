import { sdk } from '../sdk';
import type { Database } from '@azure/arm-sql';
import { armItem } from '../armItem';
import { mapEach, type Discoverer, type ListingPage } from '../Discoverer';
import { getArmById } from '../getArmById';
import { dedupeById, listArmPage } from '../listArmPage';
import { parseResourceId, type DiscoveredItem } from '../Resource';
import { sqlClient } from './sqlServers';

const TYPE = 'Microsoft.Sql/servers/databases';

export function mapSqlDatabase(d: Database) {
  return armItem(
    d,
    TYPE,
    {
      sku: d.sku?.name,
      skuTier: d.sku?.tier,
      capacity: d.sku?.capacity,
      maxSizeBytes: d.maxSizeBytes,
      status: d.status,
      serverId: d.id ? d.id.replace(/\/databases\/[^/]+$/i, '') : undefined,
      zoneRedundant: d.zoneRedundant,
    },
    d.status === 'Online' ? 'running' : d.status,
  );
}

/**
 * Azure has no subscription-wide database list: this pages through the servers and lists each
 * server's databases (one call per server, in parallel) — the only per-item reads SQL needs.
 */
export const sqlDatabases: Discoverer = {
  type: TYPE,
  slug: 'sqldatabases',
  // an event's refresh: one GET of the database under its server, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name, [server]) => sqlClient(ctx).databases.get(rg, server ?? '', name),
      mapSqlDatabase,
    ),
  async listPage(ctx): Promise<ListingPage> {
    const servers = await listArmPage(
      ctx,
      {
        all: () => sqlClient(ctx).servers.list(),
        byResourceGroup: (rg) => sqlClient(ctx).servers.listByResourceGroup(rg),
        continuationOf: sdk.sql().getContinuationToken,
      },
      (s) => armItem(s, 'Microsoft.Sql/servers', {}),
    );
    const perServer = await Promise.all(
      servers.items.map(async (server) => {
        const parsed = parseResourceId(server.id);
        const dbs: Database[] = [];
        for await (const db of sqlClient(ctx).databases.listByServer(
          parsed?.resourceGroup ?? '',
          server.name,
        ))
          dbs.push(db);
        return mapEach(dbs, mapSqlDatabase);
      }),
    );
    const items: DiscoveredItem[] = dedupeById(perServer.flatMap((p) => p.items));
    return {
      items,
      skipped: [...(servers.skipped ?? []), ...perServer.flatMap((p) => p.skipped)],
      continuationToken: servers.continuationToken,
    };
  },
};
