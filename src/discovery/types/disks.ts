import type { Disk } from '@azure/arm-compute';
import { armItem } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

const TYPE = 'Microsoft.Compute/disks';

export function mapDisk(d: Disk) {
  return armItem(
    d,
    TYPE,
    {
      sizeGB: d.diskSizeGB,
      sku: d.sku?.name,
      state: d.diskState,
      managedBy: d.managedBy,
      osType: d.osType,
      zones: d.zones,
      provisioningState: d.provisioningState,
    },
    d.provisioningState,
  );
}

export const disks: Discoverer = {
  type: TYPE,
  slug: 'disks',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(id, (rg, name) => ctx.arm.compute(ctx.subscriptionId).disks.get(rg, name), mapDisk),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => ctx.arm.compute(ctx.subscriptionId).disks.list(),
        byResourceGroup: (rg) => ctx.arm.compute(ctx.subscriptionId).disks.listByResourceGroup(rg),
      },
      mapDisk,
    ),
};
