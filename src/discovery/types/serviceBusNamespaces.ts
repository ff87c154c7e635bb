import { isRestError } from '@azure/core-rest-pipeline';
import type { SBNamespace } from '@azure/arm-servicebus';
import pLimit from 'p-limit';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer, ListingPage } from '../Discoverer';
import { listArmPage } from '../listArmPage';
import { parseResourceId } from '../Resource';
import { sdk } from '../sdk';

const TYPE = 'Microsoft.ServiceBus/namespaces';

export function mapServiceBusNamespace(n: SBNamespace) {
  return armItem(
    n,
    TYPE,
    {
      serviceBusEndpoint: n.serviceBusEndpoint,
      sku: n.sku?.name,
      disableLocalAuth: n.disableLocalAuth,
      privateEndpointConnectionIds: idsOf(n.privateEndpointConnections),
      provisioningState: n.provisioningState,
    },
    n.provisioningState,
  );
}

/**
 * Service Bus keeps `publicNetworkAccess` on the namespace's network rule set, which no list
 * returns: one read per namespace (namespaces are few). A namespace whose rule set cannot be
 * read (403, 404) is kept without it; a transient error retries the page.
 */
export const serviceBusNamespaces: Discoverer = {
  type: TYPE,
  slug: 'servicebus',
  async listPage(ctx): Promise<ListingPage> {
    const client = () => ctx.arm.client(sdk.serviceBus().ServiceBusManagementClient, ctx.subscriptionId);
    const page = await listArmPage(
      ctx,
      {
        all: () => client().namespaces.list(),
        byResourceGroup: (rg) => client().namespaces.listByResourceGroup(rg),
        continuationOf: sdk.serviceBus().getContinuationToken,
      },
      mapServiceBusNamespace,
    );
    const limit = pLimit(8);
    await Promise.all(
      page.items.map((item) =>
        limit(async () => {
          const rg = parseResourceId(item.id)?.resourceGroup ?? '';
          try {
            const rules = await client().namespaces.getNetworkRuleSet(rg, item.name);
            Object.assign(
              item.properties,
              compact({
                publicNetworkAccess: rules.publicNetworkAccess,
                networkDefaultAction: rules.defaultAction,
              }),
            );
          } catch (e) {
            const status = isRestError(e) ? e.statusCode : undefined;
            if (status === undefined || status === 429 || status >= 500) throw e;
          }
        }),
      ),
    );
    return page;
  },
};
