import { sdk } from '../sdk';
import type { ManagedCluster } from '@azure/arm-containerservice';
import { armItem, compact } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

const TYPE = 'Microsoft.ContainerService/managedClusters';

export function mapManagedCluster(c: ManagedCluster) {
  return armItem(
    c,
    TYPE,
    {
      kubernetesVersion: c.kubernetesVersion,
      nodeResourceGroup: c.nodeResourceGroup,
      agentPools: (c.agentPoolProfiles ?? []).map((p) =>
        compact({ name: p.name, vmSize: p.vmSize, count: p.count, mode: p.mode, subnetId: p.vnetSubnetID }),
      ),
      networkPlugin: c.networkProfile?.networkPlugin,
      privateCluster: c.apiServerAccessProfile?.enablePrivateCluster ?? false,
      identityType: c.identity?.type,
      fqdn: c.fqdn,
      powerState: c.powerState?.code,
      provisioningState: c.provisioningState,
    },
    c.powerState?.code === 'Stopped' ? 'stopped' : c.provisioningState,
  );
}

export const managedClusters: Discoverer = {
  type: TYPE,
  slug: 'managedclusters',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name) =>
        ctx.arm
          .client(sdk.containerService().ContainerServiceClient, ctx.subscriptionId)
          .managedClusters.get(rg, name),
      mapManagedCluster,
    ),
  listPage: (ctx) => {
    const client = () => ctx.arm.client(sdk.containerService().ContainerServiceClient, ctx.subscriptionId);
    return listArmPage(
      ctx,
      {
        all: () => client().managedClusters.list(),
        byResourceGroup: (rg) => client().managedClusters.listByResourceGroup(rg),
      },
      mapManagedCluster,
    );
  },
};
