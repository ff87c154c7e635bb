import { sdk } from '../sdk';
import type { VirtualNetwork } from '@azure/arm-network';
import { armItem, compact } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { networkClient } from './networkClient';

const TYPE = 'Microsoft.Network/virtualNetworks';

export function mapVirtualNetwork(v: VirtualNetwork) {
  return armItem(
    v,
    TYPE,
    {
      addressPrefixes: v.addressSpace?.addressPrefixes,
      dnsServers: v.dhcpOptions?.dnsServers,
      subnets: (v.subnets ?? []).map((s) =>
        compact({
          id: s.id,
          name: s.name,
          addressPrefix: s.addressPrefix,
          addressPrefixes: s.addressPrefixes?.length ? s.addressPrefixes : undefined,
          networkSecurityGroupId: s.networkSecurityGroup?.id,
          routeTableId: s.routeTable?.id,
          delegations: (s.delegations ?? []).map((d) => d.serviceName).filter(Boolean),
          privateEndpointNetworkPolicies: s.privateEndpointNetworkPolicies,
        }),
      ),
      peerings: (v.virtualNetworkPeerings ?? []).map((p) =>
        compact({
          name: p.name,
          remoteVirtualNetworkId: p.remoteVirtualNetwork?.id,
          peeringState: p.peeringState,
        }),
      ),
      ddosProtectionEnabled: v.enableDdosProtection,
      ddosProtectionPlanId: v.ddosProtectionPlan?.id,
      provisioningState: v.provisioningState,
    },
    v.provisioningState,
  );
}

export const virtualNetworks: Discoverer = {
  type: TYPE,
  slug: 'virtualnetworks',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(id, (rg, name) => networkClient(ctx).virtualNetworks.get(rg, name), mapVirtualNetwork),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => networkClient(ctx).virtualNetworks.listAll(),
        byResourceGroup: (rg) => networkClient(ctx).virtualNetworks.list(rg),
        continuationOf: sdk.network().getContinuationToken,
      },
      mapVirtualNetwork,
    ),
};
