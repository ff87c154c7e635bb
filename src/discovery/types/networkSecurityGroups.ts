import { sdk } from '../sdk';
import type { NetworkSecurityGroup, SecurityRule } from '@azure/arm-network';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { networkClient } from './networkClient';

const TYPE = 'Microsoft.Network/networkSecurityGroups';

/** Azure gives the singular or the plural form per rule (the other empty): keep what it gave. */
function plural(values: string[] | undefined): string[] | undefined {
  return values?.length ? values : undefined;
}

export function mapSecurityRule(r: SecurityRule) {
  return compact({
    name: r.name,
    priority: r.priority,
    direction: r.direction,
    access: r.access,
    protocol: r.protocol,
    sourceAddressPrefix: r.sourceAddressPrefix,
    sourceAddressPrefixes: plural(r.sourceAddressPrefixes),
    sourcePortRange: r.sourcePortRange,
    sourcePortRanges: plural(r.sourcePortRanges),
    destinationAddressPrefix: r.destinationAddressPrefix,
    destinationAddressPrefixes: plural(r.destinationAddressPrefixes),
    destinationPortRange: r.destinationPortRange,
    destinationPortRanges: plural(r.destinationPortRanges),
  });
}

export function mapNetworkSecurityGroup(n: NetworkSecurityGroup) {
  return armItem(
    n,
    TYPE,
    {
      securityRules: (n.securityRules ?? []).map(mapSecurityRule),
      subnetIds: idsOf(n.subnets),
      networkInterfaceIds: idsOf(n.networkInterfaces),
      provisioningState: n.provisioningState,
    },
    n.provisioningState,
  );
}

export const networkSecurityGroups: Discoverer = {
  type: TYPE,
  slug: 'networksecuritygroups',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name) => networkClient(ctx).networkSecurityGroups.get(rg, name),
      mapNetworkSecurityGroup,
    ),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => networkClient(ctx).networkSecurityGroups.listAll(),
        byResourceGroup: (rg) => networkClient(ctx).networkSecurityGroups.list(rg),
        continuationOf: sdk.network().getContinuationToken,
      },
      mapNetworkSecurityGroup,
    ),
};
