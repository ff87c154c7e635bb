/** Microsoft.ContainerService in the demo estate: AKS clusters with node pools in a subnet. */
import { resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export function managedCluster(
  p: Placement,
  name: string,
  subnetId: string,
  privateCluster: boolean,
  access: { entra?: boolean; applicationGatewayId?: string } = {},
): EmulatedResource {
  const sku = { name: 'Base', tier: 'Standard' };
  return resource(
    p,
    'Microsoft.ContainerService/managedClusters',
    name,
    (base) => ({
      ...base,
      identity: {
        type: 'SystemAssigned',
        principalId: '00000000-0000-0000-0000-00000000dddd',
        tenantId: '00000000-0000-0000-0000-00000000eeee',
      },
      properties: {
        provisioningState: 'Succeeded',
        powerState: { code: 'Running' },
        kubernetesVersion: '1.30.4',
        currentKubernetesVersion: '1.30.4',
        dnsPrefix: name,
        fqdn: `${name}-dns-1a2b3c4d.hcp.${p.location}.azmk8s.io`,
        agentPoolProfiles: [
          {
            name: 'system',
            count: 3,
            vmSize: 'Standard_D4s_v5',
            osType: 'Linux',
            mode: 'System',
            vnetSubnetID: subnetId,
            type: 'VirtualMachineScaleSets',
            provisioningState: 'Succeeded',
          },
          {
            name: 'user',
            count: 5,
            vmSize: 'Standard_D8s_v5',
            osType: 'Linux',
            mode: 'User',
            vnetSubnetID: subnetId,
            type: 'VirtualMachineScaleSets',
            provisioningState: 'Succeeded',
          },
        ],
        nodeResourceGroup: `MC_${p.resourceGroup}_${name}_${p.location}`,
        enableRBAC: true,
        networkProfile: {
          networkPlugin: 'azure',
          networkPolicy: 'calico',
          serviceCidr: '10.240.0.0/16',
          dnsServiceIP: '10.240.0.10',
          loadBalancerSku: 'standard',
        },
        apiServerAccessProfile: { enablePrivateCluster: privateCluster },
        ...(access.entra
          ? {
              aadProfile: {
                managed: true,
                enableAzureRBAC: true,
                tenantID: '00000000-0000-0000-0000-00000000eeee',
              },
            }
          : {}),
        ...(access.applicationGatewayId
          ? {
              addonProfiles: {
                ingressApplicationGateway: {
                  enabled: true,
                  config: {
                    applicationGatewayId: access.applicationGatewayId,
                    effectiveApplicationGatewayId: access.applicationGatewayId,
                  },
                },
              },
            }
          : {}),
      },
    }),
    { sku },
  );
}

export const containerServiceProvider: EmulatorProvider = {
  namespace: 'Microsoft.ContainerService',
  types: ['Microsoft.ContainerService/managedClusters'],
};
