import { sdk } from '../sdk';
import type { Vault } from '@azure/arm-keyvault';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

const TYPE = 'Microsoft.KeyVault/vaults';

/** Metadata only: TopDeck never lists or reads a vault's secrets, keys or certificates. */
export function mapKeyVault(v: Vault) {
  const p = v.properties;
  const acls = p?.networkAcls;
  return armItem(
    v,
    TYPE,
    {
      sku: p?.sku?.name,
      vaultUri: p?.vaultUri,
      enableSoftDelete: p?.enableSoftDelete,
      softDeleteRetentionInDays: p?.softDeleteRetentionInDays,
      enablePurgeProtection: p?.enablePurgeProtection,
      enableRbacAuthorization: p?.enableRbacAuthorization,
      publicNetworkAccess: p?.publicNetworkAccess,
      networkAcls: acls
        ? compact({
            bypass: acls.bypass,
            defaultAction: acls.defaultAction,
            ipRules: (acls.ipRules ?? []).map((r) => r.value),
            virtualNetworkRuleIds: (acls.virtualNetworkRules ?? []).map((r) => r.id),
          })
        : undefined,
      privateEndpointConnectionIds: idsOf(p?.privateEndpointConnections),
      provisioningState: p?.provisioningState,
    },
    p?.provisioningState,
  );
}

export const keyVaults: Discoverer = {
  type: TYPE,
  slug: 'keyvaults',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name) =>
        ctx.arm.client(sdk.keyVault().KeyVaultManagementClient, ctx.subscriptionId).vaults.get(rg, name),
      mapKeyVault,
    ),
  listPage: (ctx) => {
    const client = () => ctx.arm.client(sdk.keyVault().KeyVaultManagementClient, ctx.subscriptionId);
    return listArmPage(
      ctx,
      {
        // listBySubscription, not list: `vaults.list` goes through the generic resources API
        all: () => client().vaults.listBySubscription(),
        byResourceGroup: (rg) => client().vaults.listByResourceGroup(rg),
      },
      mapKeyVault,
    );
  },
};
