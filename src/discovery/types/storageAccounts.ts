import { sdk } from '../sdk';
import type { StorageAccount } from '@azure/arm-storage';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

const TYPE = 'Microsoft.Storage/storageAccounts';

export function mapStorageAccount(a: StorageAccount) {
  const services = a.encryption?.services;
  const ep = a.primaryEndpoints;
  return armItem(
    a,
    TYPE,
    {
      skuName: a.sku?.name,
      skuTier: a.sku?.tier,
      kind: a.kind,
      accessTier: a.accessTier,
      httpsOnly: a.enableHttpsTrafficOnly,
      minimumTlsVersion: a.minimumTlsVersion,
      allowBlobPublicAccess: a.allowBlobPublicAccess,
      encryptionServices: services
        ? compact({
            blob: services.blob?.enabled,
            file: services.file?.enabled,
            queue: services.queue?.enabled,
            table: services.table?.enabled,
          })
        : undefined,
      encryptionKeySource: a.encryption?.keySource,
      primaryEndpoints: ep
        ? compact({
            blob: ep.blob,
            queue: ep.queue,
            table: ep.table,
            file: ep.file,
            dfs: ep.dfs,
            web: ep.web,
          })
        : undefined,
      networkDefaultAction: a.networkRuleSet?.defaultAction,
      publicNetworkAccess: a.publicNetworkAccess,
      privateEndpointConnectionIds: idsOf(a.privateEndpointConnections),
      provisioningState: a.provisioningState,
    },
    a.provisioningState,
  );
}

export const storageAccounts: Discoverer = {
  type: TYPE,
  slug: 'storageaccounts',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name) =>
        ctx.arm
          .client(sdk.storage().StorageManagementClient, ctx.subscriptionId)
          .storageAccounts.getProperties(rg, name),
      mapStorageAccount,
    ),
  listPage: (ctx) => {
    const client = () => ctx.arm.client(sdk.storage().StorageManagementClient, ctx.subscriptionId);
    return listArmPage(
      ctx,
      {
        all: () => client().storageAccounts.list(),
        byResourceGroup: (rg) => client().storageAccounts.listByResourceGroup(rg),
      },
      mapStorageAccount,
    );
  },
};
