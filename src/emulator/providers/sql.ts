/** Microsoft.Sql in the demo estate: logical servers and their databases (listed per server). */
import { resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export function sqlServer(
  p: Placement,
  name: string,
  privateEndpointConnectionIds: string[],
): EmulatedResource {
  return resource(
    p,
    'Microsoft.Sql/servers',
    name,
    (base) => ({
      ...base,
      properties: {
        administratorLogin: 'sqladmin',
        version: '12.0',
        state: 'Ready',
        fullyQualifiedDomainName: `${name}.database.windows.net`,
        privateEndpointConnections: privateEndpointConnectionIds.map((id) => ({
          id,
          properties: {
            provisioningState: 'Ready',
            privateLinkServiceConnectionState: { status: 'Approved' },
          },
        })),
        minimalTlsVersion: '1.2',
        publicNetworkAccess: privateEndpointConnectionIds.length ? 'Disabled' : 'Enabled',
      },
    }),
    { kind: 'v12.0' },
  );
}

export function sqlDatabase(
  p: Placement,
  server: EmulatedResource,
  name: string,
  skuName: string,
  maxSizeGB: number,
): EmulatedResource {
  const sku = {
    name: skuName,
    tier: skuName.startsWith('GP') ? 'GeneralPurpose' : 'Standard',
    capacity: skuName.startsWith('GP') ? 2 : 10,
  };
  const id = `${server.id}/databases/${name}`;
  return resource(
    p,
    'Microsoft.Sql/servers/databases',
    name,
    (base) => ({
      ...base,
      properties: {
        collation: 'SQL_Latin1_General_CP1_CI_AS',
        maxSizeBytes: maxSizeGB * 1024 ** 3,
        status: 'Online',
        databaseId: '00000000-0000-0000-0000-00000000ffff',
        creationDate: '2024-02-01T10:00:00.000Z',
        currentServiceObjectiveName: skuName,
        defaultSecondaryLocation: 'westus',
        zoneRedundant: false,
        requestedBackupStorageRedundancy: 'Geo',
      },
    }),
    { sku, kind: 'v12.0,user', parentId: server.id, idOverride: id, genericName: `${server.name}/${name}` },
  );
}

export const sqlProvider: EmulatorProvider = {
  namespace: 'Microsoft.Sql',
  types: ['Microsoft.Sql/servers', 'Microsoft.Sql/servers/databases'],
};
