import { sdk } from '../sdk';
import type { DatabaseAccountGetResults } from '@azure/arm-cosmosdb';
import { armItem, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

const TYPE = 'Microsoft.DocumentDB/databaseAccounts';

export function mapCosmosDbAccount(a: DatabaseAccountGetResults) {
  return armItem(
    a,
    TYPE,
    {
      kind: a.kind,
      documentEndpoint: a.documentEndpoint,
      publicNetworkAccess: a.publicNetworkAccess,
      disableLocalAuth: a.disableLocalAuth,
      locations: (a.locations ?? []).map((l) => l.locationName).filter(Boolean),
      privateEndpointConnectionIds: idsOf(a.privateEndpointConnections),
      provisioningState: a.provisioningState,
    },
    a.provisioningState,
  );
}

/** Cosmos DB's account list is not paged (as in Azure): one page, no continuation. */
export const cosmosDbAccounts: Discoverer = {
  type: TYPE,
  slug: 'cosmosdb',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name) =>
        ctx.arm
          .client(sdk.cosmosDb().CosmosDBManagementClient, ctx.subscriptionId)
          .databaseAccounts.get(rg, name),
      mapCosmosDbAccount,
    ),
  listPage: (ctx) => {
    const client = () => ctx.arm.client(sdk.cosmosDb().CosmosDBManagementClient, ctx.subscriptionId);
    return listArmPage(
      ctx,
      {
        all: () => client().databaseAccounts.list(),
        byResourceGroup: (rg) => client().databaseAccounts.listByResourceGroup(rg),
        continuationOf: sdk.cosmosDb().getContinuationToken,
      },
      mapCosmosDbAccount,
    );
  },
};
