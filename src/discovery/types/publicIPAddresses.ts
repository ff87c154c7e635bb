import { sdk } from '../sdk';
import type { PublicIPAddress } from '@azure/arm-network';
import { armItem } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { networkClient } from './networkClient';

const TYPE = 'Microsoft.Network/publicIPAddresses';

export function mapPublicIPAddress(p: PublicIPAddress) {
  return armItem(
    p,
    TYPE,
    {
      ipAddress: p.ipAddress,
      publicIPAllocationMethod: p.publicIPAllocationMethod,
      sku: p.sku?.name,
      fqdn: p.dnsSettings?.fqdn,
      ipConfigurationId: p.ipConfiguration?.id,
      provisioningState: p.provisioningState,
    },
    p.provisioningState,
  );
}

export const publicIPAddresses: Discoverer = {
  type: TYPE,
  slug: 'publicipaddresses',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(id, (rg, name) => networkClient(ctx).publicIPAddresses.get(rg, name), mapPublicIPAddress),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => networkClient(ctx).publicIPAddresses.listAll(),
        byResourceGroup: (rg) => networkClient(ctx).publicIPAddresses.list(rg),
        continuationOf: sdk.network().getContinuationToken,
      },
      mapPublicIPAddress,
    ),
};
