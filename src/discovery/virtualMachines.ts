import type { VirtualMachine } from '@azure/arm-compute';
import type { Discoverer, ListingContext, ListingPage } from './Discoverer';
import { firstPage, mapEach } from './Discoverer';
import { armItem, compact, idsOf } from './armItem';
import { isRestError } from '@azure/core-rest-pipeline';
import { parseResourceId, statusFromState, type DiscoveredItem, type ResourceStatus } from './Resource';

const TYPE = 'Microsoft.Compute/virtualMachines';

/**
 * The details an operator needs of a VM (issue 7's flat contract); never secrets (no osProfile).
 * `cores` and `memoryMB` come from the size list (enrich), `powerState` from the statusOnly list.
 */
export function mapVirtualMachine(vm: VirtualMachine): DiscoveredItem {
  const image = vm.storageProfile?.imageReference;
  const osDisk = vm.storageProfile?.osDisk;
  const item = armItem(vm, TYPE, {
    vmId: vm.vmId,
    vmSize: vm.hardwareProfile?.vmSize,
    osType: osDisk?.osType,
    osDiskName: osDisk?.name,
    osDiskId: osDisk?.managedDisk?.id,
    osDiskSizeGB: osDisk?.diskSizeGB,
    osDiskType: osDisk?.managedDisk?.storageAccountType,
    dataDisks: (vm.storageProfile?.dataDisks ?? []).map((d) =>
      compact({
        name: d.name,
        id: d.managedDisk?.id,
        lun: d.lun,
        sizeGB: d.diskSizeGB,
        type: d.managedDisk?.storageAccountType,
      }),
    ),
    // Every part the image reference gives: a gallery or maximal body has an id AND the
    // publisher, offer, sku and version (empty strings are parts not given).
    imagePublisher: image?.publisher || undefined,
    imageOffer: image?.offer || undefined,
    imageSku: image?.sku || undefined,
    imageVersion: image?.exactVersion || image?.version || undefined,
    imageId: image?.id || image?.sharedGalleryImageId || image?.communityGalleryImageId || undefined,
    imageSharedGalleryImageId: image?.sharedGalleryImageId || undefined,
    imageCommunityGalleryImageId: image?.communityGalleryImageId || undefined,
    networkInterfaceIds: idsOf(vm.networkProfile?.networkInterfaces),
    zones: vm.zones,
    identityType: vm.identity?.type,
    availabilitySetId: vm.availabilitySet?.id,
    virtualMachineScaleSetId: vm.virtualMachineScaleSet?.id,
    computerName: vm.osProfile?.computerName,
    priority: vm.priority,
    licenseType: vm.licenseType,
    provisioningState: vm.provisioningState,
    timeCreated: vm.timeCreated?.toISOString(),
  });
  return item;
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
    return { ...armItem(vm, TYPE, { powerState }), tags: {}, status };
  });
  return { items, skipped, continuationToken: page.continuationToken };
}

/** One VM with its instance view (one call): the full listing's item joined with its power state. */
async function getVm(id: string, ctx: ListingContext): Promise<ListingPage> {
  const parsed = parseResourceId(id);
  if (!parsed) return { items: [] };
  let vm: VirtualMachine;
  try {
    vm = await ctx.arm
      .compute(ctx.subscriptionId)
      .virtualMachines.get(parsed.resourceGroup, parsed.name, { expand: 'instanceView' });
  } catch (e) {
    if (isRestError(e) && e.statusCode === 404) return { items: [] };
    throw e;
  }
  const { items, skipped } = mapEach([vm], mapVirtualMachine);
  const { status, powerState } = vmStatus(vm);
  // as fetchJoinedPage joins the statusOnly listing into the full one
  for (const item of items) {
    item.status = status;
    Object.assign(item.properties, { powerState });
  }
  return { items, skipped };
}

export const virtualMachines: Discoverer = {
  type: TYPE,
  slug: 'virtualmachines',
  listPage: (ctx) => listVms(ctx, false),
  listStatePage: (ctx) => listVms(ctx, true),
  getById: getVm,
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
          if (size) Object.assign(item.properties, { cores: size.cores, memoryMB: size.memoryMB });
        }
      }),
    );
    return items;
  },
};
