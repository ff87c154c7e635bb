/**
 * One subscription of the estate, indexed for the routes: resource groups by name, VMs by group
 * and by name, other resources by type and by id, and the generic list (every resource, VMs
 * included, in id order). Each index is built on first use, once per subscription.
 */
import { genericBody, type EmulatedResource } from './EmulatedResource';
import type { EmulatedResourceGroup, EmulatedSubscription } from './estate';
import type { EmulatedVm } from './providers/EmulatedVm';

export interface GenericEntry {
  key: string;
  type: string;
  rg: string;
  body: () => unknown;
  /** `properties.provisioningState` of the full body, for `$expand=provisioningState` */
  provisioningState: () => string | undefined;
}

export class SubscriptionResources {
  private byType?: Map<string, EmulatedResource[]>;
  private byId?: Map<string, EmulatedResource>;
  private generic?: GenericEntry[];
  private rgs?: Map<string, EmulatedResourceGroup>;
  private vmsByRg?: Map<string, EmulatedVm[]>;
  private vmsByKey?: Map<string, EmulatedVm>;

  constructor(readonly sub: EmulatedSubscription) {}

  /** a resource group by name, any casing */
  resourceGroup(name: string): EmulatedResourceGroup | undefined {
    this.rgs ??= new Map(this.sub.resourceGroups.map((rg) => [rg.name.toLowerCase(), rg]));
    return this.rgs.get(name.toLowerCase());
  }

  /** the VMs of a resource group (`rgKey` lower-cased), in id order */
  vmsInResourceGroup(rgKey: string): EmulatedVm[] {
    if (!this.vmsByRg) {
      const map = new Map<string, EmulatedVm[]>();
      for (const vm of this.sub.vms) {
        const key = vm.resourceGroup.toLowerCase();
        let list = map.get(key);
        if (!list) map.set(key, (list = []));
        list.push(vm);
      }
      this.vmsByRg = map;
    }
    return this.vmsByRg.get(rgKey) ?? [];
  }

  /** a VM by resource group and name, both lower-cased */
  vm(rgKey: string, nameKey: string): EmulatedVm | undefined {
    this.vmsByKey ??= new Map(
      this.sub.vms.map((vm) => [`${vm.resourceGroup.toLowerCase()}/${vm.name.toLowerCase()}`, vm]),
    );
    return this.vmsByKey.get(`${rgKey}/${nameKey}`);
  }

  ofType(type: string): EmulatedResource[] {
    if (!this.byType) {
      this.byType = new Map();
      for (const r of this.sub.resources) {
        const k = r.type.toLowerCase();
        const list = this.byType.get(k) ?? [];
        list.push(r);
        this.byType.set(k, list);
      }
    }
    return this.byType.get(type.toLowerCase()) ?? [];
  }

  get(id: string): EmulatedResource | undefined {
    this.byId ??= new Map(this.sub.resources.map((r) => [r.id.toLowerCase(), r]));
    return this.byId.get(id.toLowerCase());
  }

  /** Every resource, VMs included, in the generic list's shape and id order. */
  all(): GenericEntry[] {
    if (!this.generic) {
      const vms = this.sub.vms.map((vm) => ({
        key: vm.id.toLowerCase(),
        type: 'microsoft.compute/virtualmachines',
        rg: vm.resourceGroup.toLowerCase(),
        body: () => genericVm(vm),
        provisioningState: () => stateOf(vm.body as unknown as Record<string, unknown>),
      }));
      const others = this.sub.resources.map((r) => ({
        key: r.id.toLowerCase(),
        type: r.type.toLowerCase(),
        rg: r.resourceGroup.toLowerCase(),
        body: () => genericBody(r),
        provisioningState: () => stateOf(r.body()),
      }));
      this.generic = [...vms, ...others].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return this.generic;
  }
}

function genericVm(vm: EmulatedVm): unknown {
  return {
    id: vm.id,
    name: vm.name,
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    tags: vm.tags,
    ...(vm.zones ? { zones: vm.zones } : {}),
  };
}

function stateOf(body: Record<string, unknown>): string | undefined {
  const state = (body.properties as { provisioningState?: unknown } | undefined)?.provisioningState;
  return typeof state === 'string' ? state : undefined;
}
