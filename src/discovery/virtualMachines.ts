import type { VirtualMachine } from '@azure/arm-compute';
import type { Discoverer, ListingContext, ListingPage } from './Discoverer';
import { firstPage, mapEach } from './Discoverer';
import { statusFromState, type DiscoveredItem, type ResourceStatus } from './Resource';

const TYPE = 'Microsoft.Compute/virtualMachines';

function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/** The details an operator needs of a VM (design.md); never secrets (no osProfile passwords). */
export function mapVirtualMachine(vm: VirtualMachine): DiscoveredItem {
  const image = vm.storageProfile?.imageReference;
  const osDisk = vm.storageProfile?.osDisk;
  return {
    id: vm.id ?? '',
    name: vm.name ?? '',
    type: vm.type ?? TYPE,
    location: vm.location ?? '',
    tags: vm.tags ?? {},
    properties: compact({
      vmId: vm.vmId,
      vmSize: vm.hardwareProfile?.vmSize,
      osType: osDisk?.osType,
      computerName: vm.osProfile?.computerName,
      adminUsername: vm.osProfile?.adminUsername,
      image: image
        ? compact({
            publisher: image.publisher,
            offer: image.offer,
            sku: image.sku,
            version: image.version,
            id: image.id,
          })
        : undefined,
      osDisk: osDisk
        ? compact({
            name: osDisk.name,
            sizeGB: osDisk.diskSizeGB,
            managedDiskId: osDisk.managedDisk?.id,
            storageAccountType: osDisk.managedDisk?.storageAccountType,
            caching: osDisk.caching,
          })
        : undefined,
      dataDisks: (vm.storageProfile?.dataDisks ?? []).map((d) =>
        compact({
          lun: d.lun,
          name: d.name,
          sizeGB: d.diskSizeGB,
          managedDiskId: d.managedDisk?.id,
          caching: d.caching,
        }),
      ),
      networkInterfaces: (vm.networkProfile?.networkInterfaces ?? []).map((n) =>
        compact({ id: n.id, primary: n.primary }),
      ),
      availabilitySetId: vm.availabilitySet?.id,
      zones: vm.zones,
      priority: vm.priority,
      licenseType: vm.licenseType,
      provisioningState: vm.provisioningState,
      timeCreated: vm.timeCreated?.toISOString(),
    }),
  };
}

/** Status from a statusOnly instance view: a failed or busy provisioning state wins over power. */
export function vmStatus(vm: VirtualMachine): { status: ResourceStatus; powerState?: string } {
  const codes = (vm.instanceView?.statuses ?? []).map((s) => s.code ?? '');
  const power = codes.find((c) => c.toLowerCase().startsWith('powerstate/'));
  const provisioning = codes.find((c) => c.toLowerCase().startsWith('provisioningstate/'));
  const provStatus = statusFromState(provisioning);
  const powerState = power?.split('/')[1];
  if (provStatus === 'error' || provStatus === 'degraded') return { status: provStatus, powerState };
  return { status: power ? statusFromState(power) : provStatus, powerState };
}

async function listVms(ctx: ListingContext, statusOnly: boolean): Promise<ListingPage> {
  const compute = ctx.arm.compute(ctx.subscriptionId);
  const pages =
    ctx.resourceGroup && !statusOnly
      ? compute.virtualMachines.list(ctx.resourceGroup).byPage({ continuationToken: ctx.continuationToken })
      : compute.virtualMachines
          .listAll(statusOnly ? { statusOnly: 'true' } : {})
          .byPage({ continuationToken: ctx.continuationToken });
  const page = await firstPage(pages);
  let vms = page.items;
  if (ctx.resourceGroup && statusOnly) {
    const rg = `/resourcegroups/${ctx.resourceGroup.toLowerCase()}/`;
    vms = vms.filter((v) => (v.id ?? '').toLowerCase().includes(rg));
  }
  const { items, skipped } = mapEach(vms, (vm): DiscoveredItem => {
    if (!statusOnly) return mapVirtualMachine(vm);
    const { status, powerState } = vmStatus(vm);
    return {
      id: vm.id ?? '',
      name: vm.name ?? '',
      type: vm.type ?? TYPE,
      location: vm.location ?? '',
      tags: {},
      properties: powerState ? { powerState } : {},
      status,
    };
  });
  return { items, skipped, continuationToken: page.continuationToken };
}

export const virtualMachines: Discoverer = {
  type: TYPE,
  slug: 'virtualmachines',
  listPage: (ctx) => listVms(ctx, false),
  listStatePage: (ctx) => listVms(ctx, true),
  async enrich(items, ctx) {
    const byLocation = new Map<string, DiscoveredItem[]>();
    for (const item of items) {
      const list = byLocation.get(item.location.toLowerCase()) ?? [];
      list.push(item);
      byLocation.set(item.location.toLowerCase(), list);
    }
    // One size list per location, fetched in parallel (memoised per process).
    await Promise.all(
      [...byLocation].map(async ([location, list]) => {
        if (!location) return;
        const sizes = await ctx.arm.vmSizes(ctx.subscriptionId, location);
        for (const item of list) {
          const size = sizes.get(String(item.properties.vmSize ?? '').toLowerCase());
          if (size)
            Object.assign(item.properties, {
              cores: size.cores,
              memoryMB: size.memoryMB,
              maxDataDisks: size.maxDataDisks,
            });
        }
      }),
    );
    return items;
  },
};
