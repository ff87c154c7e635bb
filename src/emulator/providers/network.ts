/**
 * Microsoft.Network in the demo estate: VNets with subnets and peerings, NSGs on subnets and
 * NICs, route tables, NICs (VMs' and private endpoints'), public IPs, load balancers, private
 * endpoints and application gateways. Bodies follow the REST API examples' shape.
 */
import { resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export const NETWORK = 'Microsoft.Network';

export interface SubnetSpec {
  name: string;
  prefix: string;
  /** a few subnets use the plural form, as Azure allows */
  plural?: boolean;
  nsgId?: string;
  routeTableId?: string;
  delegation?: string;
  privateEndpointPolicies?: 'Enabled' | 'Disabled';
}

export interface PeeringSpec {
  name: string;
  remoteVirtualNetworkId: string;
  peeringState: 'Connected' | 'Initiated' | 'Disconnected';
}

function etag(seed: string): string {
  let h = 0;
  for (const c of seed) h = (h * 31 + c.charCodeAt(0)) | 0;
  return `W/"${(h >>> 0).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000"`;
}

export function virtualNetwork(
  p: Placement,
  name: string,
  addressPrefix: string,
  subnets: SubnetSpec[],
  peerings: PeeringSpec[],
  ddosPlanId?: string,
): EmulatedResource {
  return resource(p, `${NETWORK}/virtualNetworks`, name, (base) => ({
    ...base,
    etag: etag(String(base.id)),
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: '00000000-0000-0000-0000-00000000aaaa',
      addressSpace: { addressPrefixes: [addressPrefix] },
      dhcpOptions: { dnsServers: [] },
      subnets: subnets.map((s) => ({
        name: s.name,
        id: `${String(base.id)}/subnets/${s.name}`,
        etag: etag(s.name),
        properties: {
          provisioningState: 'Succeeded',
          ...(s.plural ? { addressPrefixes: [s.prefix] } : { addressPrefix: s.prefix }),
          ...(s.nsgId ? { networkSecurityGroup: { id: s.nsgId } } : {}),
          ...(s.routeTableId ? { routeTable: { id: s.routeTableId } } : {}),
          delegations: s.delegation
            ? [
                {
                  name: 'delegation',
                  id: `${String(base.id)}/subnets/${s.name}/delegations/delegation`,
                  properties: { serviceName: s.delegation, actions: [] },
                  type: 'Microsoft.Network/virtualNetworks/subnets/delegations',
                },
              ]
            : [],
          privateEndpointNetworkPolicies: s.privateEndpointPolicies ?? 'Disabled',
          privateLinkServiceNetworkPolicies: 'Enabled',
        },
        type: 'Microsoft.Network/virtualNetworks/subnets',
      })),
      virtualNetworkPeerings: peerings.map((x) => ({
        name: x.name,
        id: `${String(base.id)}/virtualNetworkPeerings/${x.name}`,
        properties: {
          provisioningState: 'Succeeded',
          peeringState: x.peeringState,
          remoteVirtualNetwork: { id: x.remoteVirtualNetworkId },
          allowVirtualNetworkAccess: true,
          allowForwardedTraffic: false,
          allowGatewayTransit: false,
          useRemoteGateways: false,
        },
        type: 'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
      })),
      enableDdosProtection: Boolean(ddosPlanId),
      ...(ddosPlanId ? { ddosProtectionPlan: { id: ddosPlanId } } : {}),
    },
  }));
}

export interface RuleSpec {
  name: string;
  priority: number;
  direction: 'Inbound' | 'Outbound';
  access: 'Allow' | 'Deny';
  protocol: string;
  source: string | string[];
  destinationPorts: string | string[];
}

export function networkSecurityGroup(
  p: Placement,
  name: string,
  rules: RuleSpec[],
  subnetIds: string[],
  nicIds: string[],
): EmulatedResource {
  return resource(p, `${NETWORK}/networkSecurityGroups`, name, (base) => ({
    ...base,
    etag: etag(name),
    properties: {
      provisioningState: 'Succeeded',
      securityRules: rules.map((r) => ({
        name: r.name,
        id: `${String(base.id)}/securityRules/${r.name}`,
        properties: {
          provisioningState: 'Succeeded',
          protocol: r.protocol,
          sourcePortRange: '*',
          ...(Array.isArray(r.source)
            ? { sourceAddressPrefixes: r.source }
            : { sourceAddressPrefix: r.source }),
          destinationAddressPrefix: '*',
          ...(Array.isArray(r.destinationPorts)
            ? { destinationPortRanges: r.destinationPorts }
            : { destinationPortRange: r.destinationPorts }),
          access: r.access,
          priority: r.priority,
          direction: r.direction,
        },
      })),
      defaultSecurityRules: [],
      subnets: subnetIds.map((id) => ({ id })),
      networkInterfaces: nicIds.map((id) => ({ id })),
    },
  }));
}

export function routeTable(p: Placement, name: string, subnetIds: string[]): EmulatedResource {
  return resource(p, `${NETWORK}/routeTables`, name, (base) => ({
    ...base,
    properties: {
      provisioningState: 'Succeeded',
      disableBgpRoutePropagation: false,
      routes: [
        {
          name: 'to-firewall',
          id: `${String(base.id)}/routes/to-firewall`,
          properties: {
            provisioningState: 'Succeeded',
            addressPrefix: '0.0.0.0/0',
            nextHopType: 'VirtualAppliance',
            nextHopIpAddress: '10.255.0.4',
          },
        },
      ],
      subnets: subnetIds.map((id) => ({ id })),
    },
  }));
}

export interface IpConfigSpec {
  name: string;
  privateIPAddress: string;
  subnetId: string;
  publicIPAddressId?: string;
  backendPoolIds?: string[];
}

export function networkInterface(
  p: Placement,
  name: string,
  ipConfigs: IpConfigSpec[],
  refs: { virtualMachineId?: string; privateEndpointId?: string; nsgId?: string; primary?: boolean },
): EmulatedResource {
  return resource(p, `${NETWORK}/networkInterfaces`, name, (base) => ({
    ...base,
    etag: etag(name),
    properties: {
      provisioningState: 'Succeeded',
      resourceGuid: '00000000-0000-0000-0000-00000000bbbb',
      ipConfigurations: ipConfigs.map((c, i) => ({
        name: c.name,
        id: `${String(base.id)}/ipConfigurations/${c.name}`,
        type: 'Microsoft.Network/networkInterfaces/ipConfigurations',
        properties: {
          provisioningState: 'Succeeded',
          privateIPAddress: c.privateIPAddress,
          privateIPAllocationMethod: 'Dynamic',
          subnet: { id: c.subnetId },
          ...(c.publicIPAddressId ? { publicIPAddress: { id: c.publicIPAddressId } } : {}),
          ...(c.backendPoolIds?.length
            ? { loadBalancerBackendAddressPools: c.backendPoolIds.map((id) => ({ id })) }
            : {}),
          primary: i === 0,
          privateIPAddressVersion: 'IPv4',
        },
      })),
      dnsSettings: { dnsServers: [], appliedDnsServers: [] },
      enableAcceleratedNetworking: false,
      enableIPForwarding: false,
      ...(refs.nsgId ? { networkSecurityGroup: { id: refs.nsgId } } : {}),
      ...(refs.virtualMachineId ? { virtualMachine: { id: refs.virtualMachineId } } : {}),
      ...(refs.privateEndpointId ? { privateEndpoint: { id: refs.privateEndpointId } } : {}),
      ...(refs.primary !== undefined ? { primary: refs.primary } : {}),
      nicType: 'Standard',
    },
  }));
}

export function publicIPAddress(
  p: Placement,
  name: string,
  ipAddress: string,
  ipConfigurationId: string | undefined,
  fqdnLabel?: string,
): EmulatedResource {
  const sku = { name: 'Standard', tier: 'Regional' };
  return resource(
    p,
    `${NETWORK}/publicIPAddresses`,
    name,
    (base) => ({
      ...base,
      properties: {
        provisioningState: 'Succeeded',
        publicIPAddressVersion: 'IPv4',
        publicIPAllocationMethod: 'Static',
        idleTimeoutInMinutes: 4,
        ipAddress,
        ...(fqdnLabel
          ? {
              dnsSettings: {
                domainNameLabel: fqdnLabel,
                fqdn: `${fqdnLabel}.${p.location}.cloudapp.azure.com`,
              },
            }
          : {}),
        ...(ipConfigurationId ? { ipConfiguration: { id: ipConfigurationId } } : {}),
      },
    }),
    { sku },
  );
}

export function loadBalancer(
  p: Placement,
  name: string,
  frontend: { publicIPAddressId?: string; subnetId?: string; privateIPAddress?: string },
  backendIpConfigIds: string[],
  port: number,
): EmulatedResource {
  const sku = { name: 'Standard', tier: 'Regional' };
  return resource(
    p,
    `${NETWORK}/loadBalancers`,
    name,
    (base) => {
      const id = String(base.id);
      const fe = `${id}/frontendIPConfigurations/frontend`;
      const pool = `${id}/backendAddressPools/backend`;
      const probe = `${id}/probes/probe-${port}`;
      return {
        ...base,
        properties: {
          provisioningState: 'Succeeded',
          frontendIPConfigurations: [
            {
              name: 'frontend',
              id: fe,
              properties: {
                provisioningState: 'Succeeded',
                ...(frontend.publicIPAddressId
                  ? { publicIPAddress: { id: frontend.publicIPAddressId } }
                  : {}),
                ...(frontend.subnetId ? { subnet: { id: frontend.subnetId } } : {}),
                ...(frontend.privateIPAddress
                  ? { privateIPAddress: frontend.privateIPAddress, privateIPAllocationMethod: 'Static' }
                  : {}),
                loadBalancingRules: [{ id: `${id}/loadBalancingRules/rule-${port}` }],
              },
            },
          ],
          backendAddressPools: [
            {
              name: 'backend',
              id: pool,
              properties: {
                provisioningState: 'Succeeded',
                backendIPConfigurations: backendIpConfigIds.map((x) => ({ id: x })),
                loadBalancerBackendAddresses: [],
              },
            },
          ],
          loadBalancingRules: [
            {
              name: `rule-${port}`,
              id: `${id}/loadBalancingRules/rule-${port}`,
              properties: {
                provisioningState: 'Succeeded',
                frontendIPConfiguration: { id: fe },
                backendAddressPool: { id: pool },
                probe: { id: probe },
                protocol: 'Tcp',
                frontendPort: port,
                backendPort: port,
                idleTimeoutInMinutes: 4,
                enableFloatingIP: false,
                loadDistribution: 'Default',
              },
            },
          ],
          probes: [
            {
              name: `probe-${port}`,
              id: probe,
              properties: {
                provisioningState: 'Succeeded',
                protocol: 'Tcp',
                port,
                intervalInSeconds: 15,
                numberOfProbes: 2,
              },
            },
          ],
          inboundNatRules: [],
          outboundRules: [],
        },
      };
    },
    { sku },
  );
}

export function privateEndpoint(
  p: Placement,
  name: string,
  subnetId: string,
  targetId: string,
  groupId: string,
  nicId: string,
): EmulatedResource {
  return resource(p, `${NETWORK}/privateEndpoints`, name, (base) => ({
    ...base,
    properties: {
      provisioningState: 'Succeeded',
      subnet: { id: subnetId },
      networkInterfaces: [{ id: nicId }],
      privateLinkServiceConnections: [
        {
          name,
          id: `${String(base.id)}/privateLinkServiceConnections/${name}`,
          properties: {
            provisioningState: 'Succeeded',
            privateLinkServiceId: targetId,
            groupIds: [groupId],
            privateLinkServiceConnectionState: {
              status: 'Approved',
              description: 'Auto-approved',
              actionsRequired: 'None',
            },
          },
        },
      ],
      manualPrivateLinkServiceConnections: [],
      customDnsConfigs: [],
    },
  }));
}

export function applicationGateway(
  p: Placement,
  name: string,
  publicIPAddressId: string,
  subnetId: string,
  backendFqdns: string[],
): EmulatedResource {
  return resource(p, `${NETWORK}/applicationGateways`, name, (base) => {
    const id = String(base.id);
    return {
      ...base,
      properties: {
        provisioningState: 'Succeeded',
        operationalState: 'Running',
        sku: { name: 'WAF_v2', tier: 'WAF_v2', capacity: 2 },
        gatewayIPConfigurations: [
          {
            name: 'gwip',
            id: `${id}/gatewayIPConfigurations/gwip`,
            properties: { subnet: { id: subnetId } },
          },
        ],
        frontendIPConfigurations: [
          {
            name: 'public',
            id: `${id}/frontendIPConfigurations/public`,
            properties: { publicIPAddress: { id: publicIPAddressId } },
          },
        ],
        backendAddressPools: [
          {
            name: 'apps',
            id: `${id}/backendAddressPools/apps`,
            properties: { backendAddresses: backendFqdns.map((fqdn) => ({ fqdn })) },
          },
        ],
      },
    };
  });
}

export const networkProvider: EmulatorProvider = {
  namespace: NETWORK,
  types: [
    'Microsoft.Network/virtualNetworks',
    'Microsoft.Network/networkInterfaces',
    'Microsoft.Network/loadBalancers',
    'Microsoft.Network/networkSecurityGroups',
    'Microsoft.Network/publicIPAddresses',
    'Microsoft.Network/privateEndpoints',
    'Microsoft.Network/routeTables',
    'Microsoft.Network/applicationGateways',
  ],
};
