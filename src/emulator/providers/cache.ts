/** Microsoft.Cache in the demo estate. Its own list spells the type `Microsoft.Cache/Redis`. */
import { resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export function redisCache(p: Placement, name: string): EmulatedResource {
  return resource(
    p,
    'Microsoft.Cache/redis',
    name,
    (base) => ({
      ...base,
      properties: {
        provisioningState: 'Succeeded',
        redisVersion: '6.0.14',
        sku: { name: 'Standard', family: 'C', capacity: 1 },
        enableNonSslPort: false,
        minimumTlsVersion: '1.2',
        publicNetworkAccess: 'Enabled',
        hostName: `${name}.redis.cache.windows.net`,
        port: 6379,
        sslPort: 6380,
        linkedServers: [],
        instances: [{ sslPort: 15000, isMaster: true, isPrimary: true }],
      },
    }),
    { listType: 'Microsoft.Cache/Redis' },
  );
}

export const cacheProvider: EmulatorProvider = {
  namespace: 'Microsoft.Cache',
  types: ['Microsoft.Cache/redis'],
};
