import { sdk } from '../sdk';
import type { NetworkInterface } from '@azure/arm-network';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { networkClient } from './networkClient';

const TYPE = 'Microsoft.Network/networkInterfaces';

export function mapNetworkInterface(n: NetworkInterface) {
  return armItem(
    n,
    TYPE,
    {
      ipConfigurations: (n.ipConfigurations ?? []).map((c) =>
        compact({
          name: c.name,
          privateIPAddress: c.privateIPAddress,
          subnetId: c.subnet?.id,
          publicIPAddressId: c.publicIPAddress?.id,
          loadBalancerBackendAddressPoolIds: idsOf(c.loadBalancerBackendAddressPools),
          primary: c.primary,
        }),
      ),
      networkSecurityGroupId: n.networkSecurityGroup?.id,
      virtualMachineId: n.virtualMachine?.id,
      privateEndpointId: n.privateEndpoint?.id,
      macAddress: n.macAddress,
      provisioningState: n.provisioningState,
    },
    n.provisioningState,
  );
}

export const networkInterfaces: Discoverer = {
  type: TYPE,
  slug: 'networkinterfaces',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(id, (rg, name) => networkClient(ctx).networkInterfaces.get(rg, name), mapNetworkInterface),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => networkClient(ctx).networkInterfaces.listAll(),
        byResourceGroup: (rg) => networkClient(ctx).networkInterfaces.list(rg),
        continuationOf: sdk.network().getContinuationToken,
      },
      mapNetworkInterface,
    ),
};
