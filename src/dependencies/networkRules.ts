import { referenceEdges, type EdgeRule } from './EdgeRule';
import { externalNodeId, type EdgeMethod } from './Edge';
import { hostOf, prop, records, str, strings } from './readProperties';

const N = 'Microsoft.Network/';

/** NICs, subnets, peerings, load balancers, application gateways and private endpoints. */
export const networkRules: EdgeRule = (view, emit) => {
  const { nodes } = view;
  /** An edge between two nodes already resolved; every edge of this family is a strong network one. */
  const link = (sourceId: string, targetId: string, evidence: string, method: EdgeMethod = 'arm-reference') =>
    emit({ sourceId, targetId, category: 'network', strength: 1, method, evidence });
  const reference = referenceEdges(view, emit);
  const ref = (sourceId: string, target: string | undefined, evidence: string, method?: EdgeMethod) =>
    reference(sourceId, target, evidence, 'network', 1, method);
  /**
   * The owner's list of what depends on it (an NSG's subnets and NICs, a route table's subnets):
   * the other end of what each dependent declares itself. A dependent TopDeck holds speaks for
   * itself (Azure keeps both ends in step), so the list only fills in for dependents it does not
   * hold. Either way an edge comes from one end only, so its evidence does not depend on the
   * order the inventory is read in.
   */
  const fromOtherEnd = (ownerId: string, dependents: unknown, evidence: string) => {
    for (const d of strings(dependents)) {
      if (nodes.has(d)) continue;
      const sourceId = nodes.resolve(d);
      if (sourceId) link(sourceId, ownerId, evidence);
    }
  };
  /** A sub-object's reference, whether Azure gave `xId` or `x: {id}`. */
  const idOf = (o: Record<string, unknown>, flat: string, nested: string) =>
    str(o[flat]) ?? str(prop(o, nested, 'id'));
  /** A load balancer's or application gateway's frontends: their public IPs and subnets. */
  const frontends = (ownerId: string, configs: unknown) => {
    for (const f of records(configs)) {
      ref(
        ownerId,
        idOf(f, 'publicIPAddressId', 'publicIPAddress'),
        'properties.frontendIPConfigurations[].publicIPAddressId',
      );
      ref(ownerId, idOf(f, 'subnetId', 'subnet'), 'properties.frontendIPConfigurations[].subnetId');
    }
  };

  for (const nic of view.ofType(`${N}networkInterfaces`)) {
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
  for (const vnet of view.ofType(`${N}virtualNetworks`)) {
    for (const s of records(vnet.properties.subnets)) {
      const subnetId = str(s.id);
      if (!subnetId) continue;
      link(subnetId, vnet.id, 'properties.subnets[].id');
      ref(
        subnetId,
        idOf(s, 'networkSecurityGroupId', 'networkSecurityGroup'),
        'properties.subnets[].networkSecurityGroupId',
      );
      ref(subnetId, idOf(s, 'routeTableId', 'routeTable'), 'properties.subnets[].routeTableId');
    }
    // A peering is a dependency both ways: either side going away breaks the path.
    for (const peer of records(vnet.properties.peerings)) {
      const remote = nodes.resolve(str(peer.remoteVirtualNetworkId));
      if (!remote) continue;
      link(vnet.id, remote, 'properties.peerings[].remoteVirtualNetworkId');
      link(remote, vnet.id, 'properties.peerings[].remoteVirtualNetworkId');
    }
  }
  for (const nsg of view.ofType(`${N}networkSecurityGroups`)) {
    fromOtherEnd(nsg.id, nsg.properties.subnetIds, 'nsg properties.subnetIds');
    fromOtherEnd(nsg.id, nsg.properties.networkInterfaceIds, 'nsg properties.networkInterfaceIds');
  }
  for (const rt of view.ofType(`${N}routeTables`))
    fromOtherEnd(rt.id, rt.properties.subnetIds, 'route table properties.subnetIds');
  for (const lb of view.ofType(`${N}loadBalancers`)) {
    frontends(lb.id, lb.properties.frontendIPConfigurations);
    for (const pool of records(lb.properties.backendAddressPools)) {
      for (const ipConfig of strings(pool.backendIPConfigurationIds)) {
        // A NIC's ip configuration → the NIC; a scale-set instance's → the scale set.
        const member = nodes.resolve(ipConfig);
        if (!member) continue;
        const evidence = 'properties.backendAddressPools[].backendIPConfigurationIds';
        link(lb.id, member, evidence);
        ref(lb.id, nodes.virtualMachineOfNic(member), `${evidence} → NIC properties.virtualMachineId`);
      }
    }
  }
  for (const agw of view.ofType(`${N}applicationGateways`)) {
    frontends(agw.id, agw.properties.frontendIPConfigurations);
    for (const pool of records(agw.properties.backendAddressPools)) {
      for (const a of records(pool.backendAddresses)) {
        const host = hostOf(str(a.fqdn)) ?? str(a.ipAddress);
        if (host)
          link(
            agw.id,
            nodes.byHost(host) ?? externalNodeId(host),
            `properties.backendAddressPools[${str(pool.name) ?? ''}].backendAddresses`,
          );
      }
      for (const ipConfig of strings(pool.backendIPConfigurationIds))
        ref(agw.id, ipConfig, 'properties.backendAddressPools[].backendIPConfigurationIds');
    }
  }
  for (const pe of view.ofType(`${N}privateEndpoints`)) {
    ref(pe.id, str(pe.properties.subnetId), 'properties.subnetId');
    for (const c of records(pe.properties.privateLinkServiceConnections))
      ref(
        pe.id,
        str(c.privateLinkServiceId),
        'properties.privateLinkServiceConnections[].privateLinkServiceId',
        'private-link',
      );
  }
};
