import { sdk } from '../sdk';
import type { ConfigurationStore } from '@azure/arm-appconfiguration';
import { armItem, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

const TYPE = 'Microsoft.AppConfiguration/configurationStores';

/** Metadata only: no `listKeys`, anywhere. */
export function mapConfigurationStore(s: ConfigurationStore) {
  return armItem(
    s,
    TYPE,
    {
      sku: s.sku?.name,
      endpoint: s.endpoint,
      publicNetworkAccess: s.publicNetworkAccess,
      disableLocalAuth: s.disableLocalAuth,
      privateEndpointConnectionIds: idsOf(s.privateEndpointConnections),
      provisioningState: s.provisioningState,
    },
    s.provisioningState,
  );
}

export const configurationStores: Discoverer = {
  type: TYPE,
  slug: 'configurationstores',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name) =>
        ctx.arm
          .client(sdk.appConfiguration().AppConfigurationManagementClient, ctx.subscriptionId)
          .configurationStores.get(rg, name),
      mapConfigurationStore,
    ),
  listPage: (ctx) => {
    const client = () =>
      ctx.arm.client(sdk.appConfiguration().AppConfigurationManagementClient, ctx.subscriptionId);
    return listArmPage(
      ctx,
      {
        all: () => client().configurationStores.list(),
        byResourceGroup: (rg) => client().configurationStores.listByResourceGroup(rg),
        continuationOf: sdk.appConfiguration().getContinuationToken,
      },
      mapConfigurationStore,
    );
  },
};
