import { sdk } from '../sdk';
import type { AppServicePlan } from '@azure/arm-appservice';
import { armItem } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';

const TYPE = 'Microsoft.Web/serverfarms';

export function mapServerFarm(p: AppServicePlan) {
  return armItem(
    p,
    TYPE,
    {
      kind: p.kind,
      sku: p.sku?.name,
      skuTier: p.sku?.tier,
      capacity: p.sku?.capacity,
      state: p.status,
      numberOfSites: p.numberOfSites,
      reserved: p.reserved,
      zoneRedundant: p.zoneRedundant,
      provisioningState: p.provisioningState,
    },
    p.provisioningState,
  );
}

export const serverFarms: Discoverer = {
  type: TYPE,
  slug: 'serverfarms',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(
      id,
      (rg, name) =>
        ctx.arm
          .client(sdk.appService().WebSiteManagementClient, ctx.subscriptionId)
          .appServicePlans.get(rg, name),
      mapServerFarm,
    ),
  listPage: (ctx) => {
    const client = () => ctx.arm.client(sdk.appService().WebSiteManagementClient, ctx.subscriptionId);
    return listArmPage(
      ctx,
      {
        // without `detailed`, Azure's subscription-wide list gives a subset of the properties
        // (`numberOfSites` 0); a GET and a group's list give them all: the rows must agree
        all: () => client().appServicePlans.list({ detailed: true }),
        byResourceGroup: (rg) => client().appServicePlans.listByResourceGroup(rg),
      },
      mapServerFarm,
    );
  },
};
