import type { VirtualMachineScaleSet } from '@azure/arm-compute';
import { armItem, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

const TYPE = 'Microsoft.Compute/virtualMachineScaleSets';

export function mapVirtualMachineScaleSet(s: VirtualMachineScaleSet) {
  const ipConfigs = (s.virtualMachineProfile?.networkProfile?.networkInterfaceConfigurations ?? []).flatMap(
    (n) => n.ipConfigurations ?? [],
  );
  return armItem(
    s,
    TYPE,
    {
      sku: s.sku?.name,
      capacity: s.sku?.capacity,
      orchestrationMode: s.orchestrationMode,
      subnetIds: [...new Set(ipConfigs.map((c) => c.subnet?.id).filter((x): x is string => Boolean(x)))],
      loadBalancerBackendAddressPoolIds: [
        ...new Set(ipConfigs.flatMap((c) => idsOf(c.loadBalancerBackendAddressPools))),
      ],
      zones: s.zones,
      identityType: s.identity?.type,
      provisioningState: s.provisioningState,
    },
    s.provisioningState,
  );
}

export const virtualMachineScaleSets: Discoverer = {
  type: TYPE,
  slug: 'virtualmachinescalesets',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name) => ctx.arm.compute(ctx.subscriptionId).virtualMachineScaleSets.get(rg, name),
      mapVirtualMachineScaleSet,
    ),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => ctx.arm.compute(ctx.subscriptionId).virtualMachineScaleSets.listAll(),
        byResourceGroup: (rg) => ctx.arm.compute(ctx.subscriptionId).virtualMachineScaleSets.list(rg),
      },
      mapVirtualMachineScaleSet,
    ),
};
