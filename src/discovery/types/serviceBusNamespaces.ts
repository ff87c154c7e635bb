import { sdk } from '../sdk';
import type { SBNamespace } from '@azure/arm-servicebus';
import { armItem, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { listArmPage } from '../listArmPage';

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

export const serviceBusNamespaces: Discoverer = {
  type: TYPE,
  slug: 'servicebus',
  listPage: (ctx) => {
    const client = () => ctx.arm.client(sdk.serviceBus().ServiceBusManagementClient, ctx.subscriptionId);
    return listArmPage(
      ctx,
      {
        all: () => client().namespaces.list(),
        byResourceGroup: (rg) => client().namespaces.listByResourceGroup(rg),
        continuationOf: sdk.serviceBus().getContinuationToken,
      },
      mapServiceBusNamespace,
    );
  },
};
