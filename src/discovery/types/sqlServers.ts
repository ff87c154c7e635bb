import { sdk } from '../sdk';
import type { Server, SqlManagementClient } from '@azure/arm-sql';
import { armItem, idsOf } from '../armItem';
import type { Discoverer, ListingContext } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

const TYPE = 'Microsoft.Sql/servers';

export function sqlClient(ctx: ListingContext): SqlManagementClient {
  return ctx.arm.client(sdk.sql().SqlManagementClient, ctx.subscriptionId);
}

export function mapSqlServer(s: Server) {
  return armItem(
    s,
    TYPE,
    {
      fullyQualifiedDomainName: s.fullyQualifiedDomainName,
      publicNetworkAccess: s.publicNetworkAccess,
      version: s.version,
      minimalTlsVersion: s.minimalTlsVersion,
      privateEndpointConnectionIds: idsOf(s.privateEndpointConnections),
      state: s.state,
    },
    s.state === 'Ready' ? 'running' : s.state,
  );
}

export const sqlServers: Discoverer = {
  type: TYPE,
  slug: 'sqlservers',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) => getArmById(id, (rg, name) => sqlClient(ctx).servers.get(rg, name), mapSqlServer),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => sqlClient(ctx).servers.list(),
        byResourceGroup: (rg) => sqlClient(ctx).servers.listByResourceGroup(rg),
        continuationOf: sdk.sql().getContinuationToken,
      },
      mapSqlServer,
    ),
};
