/** Microsoft.DocumentDB in the demo estate: Cosmos DB accounts (display-name locations, as Azure). */
import { LOCATION_DISPLAY, resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export function databaseAccount(p: Placement, name: string): EmulatedResource {
  return resource(
    p,
    'Microsoft.DocumentDB/databaseAccounts',
    name,
    (base) => ({
      ...base,
      systemData: { createdAt: '2024-02-01T10:00:00Z' },
      properties: {
        provisioningState: 'Succeeded',
        documentEndpoint: `https://${name}.documents.azure.com:443/`,
        publicNetworkAccess: 'Enabled',
        enableAutomaticFailover: false,
        enableMultipleWriteLocations: false,
        databaseAccountOfferType: 'Standard',
        consistencyPolicy: {
          defaultConsistencyLevel: 'Session',
          maxIntervalInSeconds: 5,
          maxStalenessPrefix: 100,
        },
        locations: [
          {
            id: `${name}-${p.location}`,
            locationName: LOCATION_DISPLAY[p.location] ?? p.location,
            failoverPriority: 0,
            isZoneRedundant: false,
          },
        ],
        isVirtualNetworkFilterEnabled: false,
        virtualNetworkRules: [],
        privateEndpointConnections: [],
        disableLocalAuth: false,
      },
    }),
    { kind: 'GlobalDocumentDB', displayLocation: LOCATION_DISPLAY[p.location] ?? p.location },
  );
}

export const documentDbProvider: EmulatorProvider = {
  namespace: 'Microsoft.DocumentDB',
  types: ['Microsoft.DocumentDB/databaseAccounts'],
  // the account list is not paged, as in Azure
  unpagedTypes: ['Microsoft.DocumentDB/databaseAccounts'],
};
