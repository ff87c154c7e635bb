import { sdk } from '../sdk';
import type { RedisResource } from '@azure/arm-rediscache';
import { armItem, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

/** The generic list's spelling; Redis's own list says `Microsoft.Cache/Redis`. */
const TYPE = 'Microsoft.Cache/redis';

export function mapRedisCache(r: RedisResource) {
  return armItem(
    r,
    TYPE,
    {
      hostName: r.hostName,
      sslPort: r.sslPort,
      port: r.port,
      enableNonSslPort: r.enableNonSslPort,
      sku: r.sku ? `${r.sku.name} ${r.sku.family}${r.sku.capacity}` : undefined,
      redisVersion: r.redisVersion,
      minimumTlsVersion: r.minimumTlsVersion,
      publicNetworkAccess: r.publicNetworkAccess,
      subnetId: r.subnetId,
      privateEndpointConnectionIds: idsOf(r.privateEndpointConnections),
      provisioningState: r.provisioningState,
    },
    r.provisioningState,
  );
}

export const redisCaches: Discoverer = {
  type: TYPE,
  slug: 'redis',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name) => ctx.arm.client(sdk.redis().RedisManagementClient, ctx.subscriptionId).redis.get(rg, name),
      mapRedisCache,
    ),
  listPage: (ctx) => {
    const client = () => ctx.arm.client(sdk.redis().RedisManagementClient, ctx.subscriptionId);
    return listArmPage(
      ctx,
      {
        all: () => client().redis.listBySubscription(),
        byResourceGroup: (rg) => client().redis.listByResourceGroup(rg),
        continuationOf: sdk.redis().getContinuationToken,
      },
      mapRedisCache,
    );
  },
};
