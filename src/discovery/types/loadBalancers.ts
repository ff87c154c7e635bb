import { sdk } from '../sdk';
import type { LoadBalancer } from '@azure/arm-network';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { frontendIPConfigurations } from '../frontendIPConfigurations';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { networkClient } from './networkClient';

const TYPE = 'Microsoft.Network/loadBalancers';

export function mapLoadBalancer(lb: LoadBalancer) {
  return armItem(
    lb,
    TYPE,
    {
      sku: lb.sku?.name,
      skuTier: lb.sku?.tier,
      frontendIPConfigurations: frontendIPConfigurations(lb.frontendIPConfigurations),
      backendAddressPools: (lb.backendAddressPools ?? []).map((b) =>
        compact({
          id: b.id,
          name: b.name,
          backendIPConfigurationIds: idsOf(b.backendIPConfigurations),
          addresses: (b.loadBalancerBackendAddresses ?? []).map((a) =>
            compact({ name: a.name, ipAddress: a.ipAddress, virtualNetworkId: a.virtualNetwork?.id }),
          ),
        }),
      ),
      loadBalancingRules: (lb.loadBalancingRules ?? []).map((r) =>
        compact({
          name: r.name,
          protocol: r.protocol,
          frontendPort: r.frontendPort,
          backendPort: r.backendPort,
          frontendIPConfigurationId: r.frontendIPConfiguration?.id,
          backendAddressPoolId: r.backendAddressPool?.id,
          probeId: r.probe?.id,
        }),
      ),
      probes: (lb.probes ?? []).map((p) =>
        compact({ id: p.id, name: p.name, protocol: p.protocol, port: p.port }),
      ),
      provisioningState: lb.provisioningState,
    },
    lb.provisioningState,
  );
}

export const loadBalancers: Discoverer = {
  type: TYPE,
  slug: 'loadbalancers',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(id, (rg, name) => networkClient(ctx).loadBalancers.get(rg, name), mapLoadBalancer),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => networkClient(ctx).loadBalancers.listAll(),
        byResourceGroup: (rg) => networkClient(ctx).loadBalancers.list(rg),
        continuationOf: sdk.network().getContinuationToken,
      },
      mapLoadBalancer,
    ),
};
