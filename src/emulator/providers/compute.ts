/** Microsoft.Compute beyond VMs (estate.ts keeps those): managed disks and scale sets. */
import { resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';
import { LOCATION_DISPLAY } from '../EmulatedResource';
import { matchVirtualMachineRoute } from './virtualMachineRoutes';

export function disk(
  p: Placement,
  name: string,
  sizeGB: number,
  skuName: string,
  managedBy: string | undefined,
  osType?: 'Linux' | 'Windows',
): EmulatedResource {
  const sku = { name: skuName, tier: skuName.startsWith('Premium') ? 'Premium' : 'Standard' };
  return resource(
    p,
    'Microsoft.Compute/disks',
    name,
    (base) => ({
      ...base,
      ...(managedBy ? { managedBy } : {}),
      properties: {
        ...(osType ? { osType } : {}),
        creationData: { createOption: osType ? 'FromImage' : 'Empty' },
        diskSizeGB: sizeGB,
        diskIOPSReadWrite: 500,
        diskMBpsReadWrite: 60,
        encryption: { type: 'EncryptionAtRestWithPlatformKey' },
        timeCreated: '2024-03-01T10:00:00.0000000+00:00',
        provisioningState: 'Succeeded',
        diskState: managedBy ? 'Attached' : 'Unattached',
        diskSizeBytes: sizeGB * 1024 ** 3,
      },
    }),
    { sku, ...(managedBy ? { managedBy } : {}) },
  );
}

export function virtualMachineScaleSet(
  p: Placement,
  name: string,
  skuName: string,
  capacity: number,
  subnetId: string,
  backendPoolIds: string[],
): EmulatedResource {
  const sku = { name: skuName, tier: 'Standard', capacity };
  return resource(
    p,
    'Microsoft.Compute/virtualMachineScaleSets',
    name,
    (base) => ({
      ...base,
      properties: {
        orchestrationMode: 'Uniform',
        upgradePolicy: { mode: 'Manual' },
        virtualMachineProfile: {
          storageProfile: {
            imageReference: {
              publisher: 'Canonical',
              offer: 'ubuntu-24_04-lts',
              sku: 'server',
              version: 'latest',
            },
            osDisk: {
              createOption: 'FromImage',
              caching: 'ReadWrite',
              managedDisk: { storageAccountType: 'Premium_LRS' },
            },
          },
          osProfile: { computerNamePrefix: name.slice(0, 9), adminUsername: 'azureuser' },
          networkProfile: {
            networkInterfaceConfigurations: [
              {
                name: `${name}-nic`,
                properties: {
                  primary: true,
                  ipConfigurations: [
                    {
                      name: 'ipconfig1',
                      properties: {
                        subnet: { id: subnetId },
                        loadBalancerBackendAddressPools: backendPoolIds.map((id) => ({ id })),
                      },
                    },
                  ],
                },
              },
            ],
          },
        },
        provisioningState: 'Succeeded',
        overprovision: false,
        uniqueId: '00000000-0000-0000-0000-00000000cccc',
      },
    }),
    { sku },
  );
}

const API_VERSIONS = ['2024-07-01', '2024-03-01', '2023-09-01'];

export const computeProvider: EmulatorProvider = {
  namespace: 'Microsoft.Compute',
  types: ['Microsoft.Compute/disks', 'Microsoft.Compute/virtualMachineScaleSets'],
  match: (segments, lower) => matchVirtualMachineRoute(segments, lower),
  resourceTypes: (estate) => [
    {
      resourceType: 'virtualMachines',
      locations: estate.locations.map((l) => LOCATION_DISPLAY[l] ?? l),
      apiVersions: API_VERSIONS,
      capabilities:
        'CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation',
    },
    {
      resourceType: 'locations/vmSizes',
      locations: [],
      apiVersions: API_VERSIONS,
      capabilities: 'None',
    },
  ],
};
