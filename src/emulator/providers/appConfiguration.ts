/** Microsoft.AppConfiguration in the demo estate: configuration store metadata. */
import { resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export function configurationStore(p: Placement, name: string): EmulatedResource {
  const sku = { name: 'standard' };
  return resource(
    p,
    'Microsoft.AppConfiguration/configurationStores',
    name,
    (base) => ({
      ...base,
      properties: {
        provisioningState: 'Succeeded',
        creationDate: '2024-02-01T10:00:00+00:00',
        endpoint: `https://${name}.azconfig.io`,
        encryption: {},
        publicNetworkAccess: 'Enabled',
        disableLocalAuth: true,
        softDeleteRetentionInDays: 7,
        enablePurgeProtection: false,
        privateEndpointConnections: [],
      },
    }),
    { sku },
  );
}

export const appConfigurationProvider: EmulatorProvider = {
  namespace: 'Microsoft.AppConfiguration',
  types: ['Microsoft.AppConfiguration/configurationStores'],
};
