import { parseResourceId } from '../discovery/Resource';
import { referenceEdges, type EdgeRule } from './EdgeRule';
import { records, str, strings } from './readProperties';

const VM = 'Microsoft.Compute/virtualMachines';
const VMSS = 'Microsoft.Compute/virtualMachineScaleSets';

/** VMs, disks, scale sets and AKS: what each runs on and plugs into. */
export const computeRules: EdgeRule = (view, emit) => {
  const { nodes } = view;
  const ref = referenceEdges(view, emit);
  for (const vm of view.ofType(VM)) {
    const p = vm.properties;
    for (const nic of strings(p.networkInterfaceIds))
      ref(vm.id, nic, 'properties.networkInterfaceIds', 'network');
    ref(vm.id, str(p.osDiskId), 'properties.osDiskId', 'compute');
    for (const d of records(p.dataDisks)) ref(vm.id, str(d.id), 'properties.dataDisks[].id', 'compute');
    ref(vm.id, str(p.availabilitySetId), 'properties.availabilitySetId', 'compute', 0.5);
    ref(vm.id, str(p.virtualMachineScaleSetId), 'properties.virtualMachineScaleSetId', 'compute');
  }
  // A disk names the VM it is attached to; the VM depends on it. A VM TopDeck holds lists its
  // own disks (above), so this only fills in for VMs it does not hold (see networkRules).
  for (const disk of view.ofType('Microsoft.Compute/disks')) {
    const managedBy = str(disk.properties.managedBy);
    if (!managedBy || nodes.has(managedBy)) continue;
    const owner = nodes.resolve(managedBy);
    if (owner && parseResourceId(owner)?.type.toLowerCase() === VM.toLowerCase())
      emit({
        sourceId: owner,
        targetId: disk.id,
        category: 'compute',
        strength: 1,
        method: 'arm-reference',
        evidence: 'disk properties.managedBy',
      });
  }
  for (const ss of view.ofType(VMSS)) {
    for (const subnet of strings(ss.properties.subnetIds))
      ref(ss.id, subnet, 'properties.subnetIds', 'network');
  }
  for (const aks of view.ofType('Microsoft.ContainerService/managedClusters')) {
    for (const pool of records(aks.properties.agentPools))
      ref(aks.id, str(pool.subnetId), `properties.agentPools[${str(pool.name) ?? ''}].subnetId`, 'network');
    const nodeRg = str(aks.properties.nodeResourceGroup)?.toLowerCase();
    if (!nodeRg) continue;
    for (const ss of nodes.idsOfTypeInGroup(VMSS, aks.subscriptionId, nodeRg))
      emit({
        sourceId: aks.id,
        targetId: ss,
        category: 'compute',
        strength: 1,
        method: 'arm-reference',
        evidence: 'properties.nodeResourceGroup',
      });
  }
};
