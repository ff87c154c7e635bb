/** Microsoft.KeyVault in the demo estate: vault metadata (the emulator serves no secrets API). */
import { resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export function vault(
  p: Placement,
  name: string,
  tenantId: string,
  privateEndpointConnectionIds: string[],
  rbac: boolean,
): EmulatedResource {
  return resource(p, 'Microsoft.KeyVault/vaults', name, (base) => ({
    ...base,
    systemData: { createdBy: 'platform@contoso.com', createdByType: 'User' },
    properties: {
      sku: { family: 'A', name: 'standard' },
      tenantId,
      accessPolicies: [],
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      enableSoftDelete: true,
      softDeleteRetentionInDays: 90,
      enableRbacAuthorization: rbac,
      ...(rbac ? { enablePurgeProtection: true } : {}),
      vaultUri: `https://${name}.vault.azure.net/`,
      provisioningState: 'Succeeded',
      publicNetworkAccess: privateEndpointConnectionIds.length ? 'Disabled' : 'Enabled',
      networkAcls: {
        bypass: 'AzureServices',
        defaultAction: privateEndpointConnectionIds.length ? 'Deny' : 'Allow',
        ipRules: [],
        virtualNetworkRules: [],
      },
      privateEndpointConnections: privateEndpointConnectionIds.map((id) => ({
        id,
        properties: {
          provisioningState: 'Succeeded',
          privateLinkServiceConnectionState: { status: 'Approved' },
        },
      })),
    },
  }));
}

export const keyVaultProvider: EmulatorProvider = {
  namespace: 'Microsoft.KeyVault',
  types: ['Microsoft.KeyVault/vaults'],
};
