/** Microsoft.Storage in the demo estate: storage accounts, some behind a private endpoint. */
import { resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export function storageAccount(
  p: Placement,
  name: string,
  opts: { skuName: string; privateEndpointConnectionIds: string[]; publicAccess: boolean },
): EmulatedResource {
  const sku = { name: opts.skuName, tier: 'Standard' };
  const svc = { enabled: true, keyType: 'Account', lastEnabledTime: '2024-02-01T10:00:00.0000000Z' };
  return resource(
    p,
    'Microsoft.Storage/storageAccounts',
    name,
    (base) => ({
      ...base,
      properties: {
        keyCreationTime: { key1: '2024-02-01T10:00:00.0000000Z', key2: '2024-02-01T10:00:00.0000000Z' },
        privateEndpointConnections: opts.privateEndpointConnectionIds.map((id) => ({
          id,
          name: id.split('/').pop(),
          type: 'Microsoft.Storage/storageAccounts/privateEndpointConnections',
          properties: {
            provisioningState: 'Succeeded',
            privateLinkServiceConnectionState: { status: 'Approved' },
          },
        })),
        minimumTlsVersion: 'TLS1_2',
        allowBlobPublicAccess: false,
        networkAcls: {
          bypass: 'AzureServices',
          virtualNetworkRules: [],
          ipRules: [],
          defaultAction: opts.publicAccess ? 'Allow' : 'Deny',
        },
        supportsHttpsTrafficOnly: true,
        encryption: {
          services: { file: svc, blob: svc, queue: svc, table: svc },
          keySource: 'Microsoft.Storage',
        },
        accessTier: 'Hot',
        provisioningState: 'Succeeded',
        creationTime: '2024-02-01T10:00:00.0000000Z',
        primaryEndpoints: {
          dfs: `https://${name}.dfs.core.windows.net/`,
          web: `https://${name}.z13.web.core.windows.net/`,
          blob: `https://${name}.blob.core.windows.net/`,
          queue: `https://${name}.queue.core.windows.net/`,
          table: `https://${name}.table.core.windows.net/`,
          file: `https://${name}.file.core.windows.net/`,
        },
        primaryLocation: p.location,
        statusOfPrimary: 'available',
      },
    }),
    { sku, kind: 'StorageV2' },
  );
}

export const storageProvider: EmulatorProvider = {
  namespace: 'Microsoft.Storage',
  types: ['Microsoft.Storage/storageAccounts'],
};
