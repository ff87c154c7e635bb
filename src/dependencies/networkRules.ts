import type { EdgeRule } from './EdgeRule';
import { externalNodeId } from './Edge';
import { hostOf, prop, records, str, strings } from './ResourceIndex';

const N = 'Microsoft.Network/';

/** NICs, subnets, peerings, load balancers, application gateways and private endpoints. */
export const networkRules: EdgeRule = (index, emit) => {
  const ref = (sourceId: string, target: string | undefined, evidence: string, strength = 1) => {
    const targetId = index.resolve(target);
    if (targetId)
      emit({ sourceId, targetId, category: 'network', strength, method: 'arm-reference', evidence });
  };
  /** A sub-object's reference, whether Azure gave `xId` or `x: {id}`. */
  const idOf = (o: Record<string, unknown>, flat: string, nested: string) =>
    str(o[flat]) ?? str(prop(o, nested, 'id'));

  for (const nic of index.ofType(`${N}networkInterfaces`)) {
    for (const c of records(nic.properties.ipConfigurations)) {
      ref(nic.id, idOf(c, 'subnetId', 'subnet'), 'properties.ipConfigurations[].subnetId');
      ref(
        nic.id,
        idOf(c, 'publicIPAddressId', 'publicIPAddress'),
        'properties.ipConfigurations[].publicIPAddressId',
      );
    }
    ref(nic.id, str(nic.properties.networkSecurityGroupId), 'properties.networkSecurityGroupId');
  }
  for (const vnet of index.ofType(`${N}virtualNetworks`)) {
    for (const s of records(vnet.properties.subnets)) {
      const subnetId = str(s.id);
      if (!subnetId) continue;
      emit({
        sourceId: subnetId,
        targetId: vnet.id,
        category: 'network',
        strength: 1,
        method: 'arm-reference',
        evidence: 'properties.subnets[].id',
      });
      ref(
        subnetId,
        idOf(s, 'networkSecurityGroupId', 'networkSecurityGroup'),
        'properties.subnets[].networkSecurityGroupId',
      );
      ref(subnetId, idOf(s, 'routeTableId', 'routeTable'), 'properties.subnets[].routeTableId');
    }
    // A peering is a dependency both ways: either side going away breaks the path.
    for (const peer of records(vnet.properties.peerings)) {
      const remote = index.resolve(str(peer.remoteVirtualNetworkId));
      if (!remote) continue;
      const evidence = 'properties.peerings[].remoteVirtualNetworkId';
      emit({
        sourceId: vnet.id,
        targetId: remote,
        category: 'network',
        strength: 1,
        method: 'arm-reference',
        evidence,
      });
      emit({
        sourceId: remote,
        targetId: vnet.id,
        category: 'network',
        strength: 1,
        method: 'arm-reference',
        evidence,
      });
    }
  }
  // The NSG and route table lists name their subnets and NICs too (the same edges, found from the other end).
  const fromOtherEnd = (ownerId: string, dependents: unknown, evidence: string) => {
    for (const d of strings(dependents)) {
      const sourceId = index.resolve(d);
      if (sourceId)
        emit({
          sourceId,
          targetId: ownerId,
          category: 'network',
          strength: 1,
          method: 'arm-reference',
          evidence,
        });
    }
  };
  for (const nsg of index.ofType(`${N}networkSecurityGroups`)) {
    fromOtherEnd(nsg.id, nsg.properties.subnetIds, 'nsg properties.subnetIds');
    fromOtherEnd(nsg.id, nsg.properties.networkInterfaceIds, 'nsg properties.networkInterfaceIds');
  }
  for (const rt of index.ofType(`${N}routeTables`))
    fromOtherEnd(rt.id, rt.properties.subnetIds, 'route table properties.subnetIds');
  for (const lb of index.ofType(`${N}loadBalancers`)) {
    for (const f of records(lb.properties.frontendIPConfigurations)) {
      ref(
        lb.id,
        idOf(f, 'publicIPAddressId', 'publicIPAddress'),
        'properties.frontendIPConfigurations[].publicIPAddressId',
      );
      ref(lb.id, idOf(f, 'subnetId', 'subnet'), 'properties.frontendIPConfigurations[].subnetId');
    }
    for (const pool of records(lb.properties.backendAddressPools)) {
      for (const ipConfig of strings(pool.backendIPConfigurationIds)) {
        // A NIC's ip configuration → the NIC; a scale-set instance's → the scale set.
        const member = index.resolve(ipConfig);
        if (!member) continue;
        const evidence = 'properties.backendAddressPools[].backendIPConfigurationIds';
        emit({
          sourceId: lb.id,
          targetId: member,
          category: 'network',
          strength: 1,
          method: 'arm-reference',
          evidence,
        });
        const vm = index.resolve(str(index.get(member)?.properties.virtualMachineId));
        if (vm)
          emit({
            sourceId: lb.id,
            targetId: vm,
            category: 'network',
            strength: 1,
            method: 'arm-reference',
            evidence: `${evidence} → NIC properties.virtualMachineId`,
          });
      }
    }
  }
  for (const agw of index.ofType(`${N}applicationGateways`)) {
    for (const f of records(agw.properties.frontendIPConfigurations)) {
      ref(
        agw.id,
        idOf(f, 'publicIPAddressId', 'publicIPAddress'),
        'properties.frontendIPConfigurations[].publicIPAddressId',
      );
      ref(agw.id, idOf(f, 'subnetId', 'subnet'), 'properties.frontendIPConfigurations[].subnetId');
    }
    for (const pool of records(agw.properties.backendAddressPools)) {
      for (const a of records(pool.backendAddresses)) {
        const host = hostOf(str(a.fqdn)) ?? str(a.ipAddress);
        if (!host) continue;
        const target = index.byHost(host) ?? externalNodeId(host);
        emit({
          sourceId: agw.id,
          targetId: target,
          category: 'network',
          strength: 1,
          method: 'arm-reference',
          evidence: `properties.backendAddressPools[${str(pool.name) ?? ''}].backendAddresses`,
        });
      }
      for (const ipConfig of strings(pool.backendIPConfigurationIds))
        ref(agw.id, ipConfig, 'properties.backendAddressPools[].backendIPConfigurationIds');
    }
  }
  for (const pe of index.ofType(`${N}privateEndpoints`)) {
    ref(pe.id, str(pe.properties.subnetId), 'properties.subnetId');
    for (const c of records(pe.properties.privateLinkServiceConnections)) {
      const target = index.resolve(str(c.privateLinkServiceId));
      if (target)
        emit({
          sourceId: pe.id,
          targetId: target,
          category: 'network',
          strength: 1,
          method: 'private-link',
          evidence: 'properties.privateLinkServiceConnections[].privateLinkServiceId',
        });
    }
  }
};
