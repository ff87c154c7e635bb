import { sdk } from '../sdk';
import type { PrivateEndpoint } from '@azure/arm-network';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { networkClient } from './networkClient';

const TYPE = 'Microsoft.Network/privateEndpoints';

export function mapPrivateEndpoint(p: PrivateEndpoint) {
  const connections = [
    ...(p.privateLinkServiceConnections ?? []),
    ...(p.manualPrivateLinkServiceConnections ?? []),
  ];
  return armItem(
    p,
    TYPE,
    {
      subnetId: p.subnet?.id,
      networkInterfaceIds: idsOf(p.networkInterfaces),
      privateLinkServiceConnections: connections.map((c) =>
        compact({
          name: c.name,
          privateLinkServiceId: c.privateLinkServiceId,
          groupIds: c.groupIds,
          status: c.privateLinkServiceConnectionState?.status,
        }),
      ),
      provisioningState: p.provisioningState,
    },
    p.provisioningState,
  );
}

export const privateEndpoints: Discoverer = {
  type: TYPE,
  slug: 'privateendpoints',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(id, (rg, name) => networkClient(ctx).privateEndpoints.get(rg, name), mapPrivateEndpoint),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => networkClient(ctx).privateEndpoints.listBySubscription(),
        byResourceGroup: (rg) => networkClient(ctx).privateEndpoints.list(rg),
        continuationOf: sdk.network().getContinuationToken,
      },
      mapPrivateEndpoint,
    ),
};
