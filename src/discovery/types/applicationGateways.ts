import { sdk } from '../sdk';
import type { ApplicationGateway } from '@azure/arm-network';
import { armItem, compact } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { frontendIPConfigurations } from '../frontendIPConfigurations';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { networkClient } from './networkClient';

const TYPE = 'Microsoft.Network/applicationGateways';

export function mapApplicationGateway(g: ApplicationGateway) {
  return armItem(
    g,
    TYPE,
    {
      sku: g.sku?.name,
      skuTier: g.sku?.tier,
      capacity: g.sku?.capacity,
      operationalState: g.operationalState,
      subnetIds: (g.gatewayIPConfigurations ?? []).map((c) => c.subnet?.id).filter(Boolean),
      frontendIPConfigurations: frontendIPConfigurations(g.frontendIPConfigurations),
      backendAddressPools: (g.backendAddressPools ?? []).map((b) =>
        compact({
          id: b.id,
          name: b.name,
          backendAddresses: (b.backendAddresses ?? []).map((a) =>
            compact({ fqdn: a.fqdn, ipAddress: a.ipAddress }),
          ),
        }),
      ),
      provisioningState: g.provisioningState,
    },
    g.provisioningState,
  );
}

export const applicationGateways: Discoverer = {
  type: TYPE,
  slug: 'applicationgateways',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(id, (rg, name) => networkClient(ctx).applicationGateways.get(rg, name), mapApplicationGateway),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => networkClient(ctx).applicationGateways.listAll(),
        byResourceGroup: (rg) => networkClient(ctx).applicationGateways.list(rg),
        continuationOf: sdk.network().getContinuationToken,
      },
      mapApplicationGateway,
    ),
};
