import { sdk } from '../sdk';
import type { GenericResourceExpanded } from '@azure/arm-resources';
import { armItem } from '../armItem';
import { genericGetById } from '../genericGetById';
import type { Discoverer, ListingContext, ListingPage } from '../Discoverer';
import { listArmPage } from '../listArmPage';
import { parseResourceId } from '../Resource';

/**
 * Every type no dedicated discoverer owns, through the generic resources list filtered to one
 * type per task (the scan plans a task per type that exists), so nothing is listed twice and
 * each task owns the removals of exactly its type.
 */
export function mapGenericResource(r: GenericResourceExpanded, taskType: string) {
  const parsed = r.id ? parseResourceId(r.id) : undefined;
  // the generic list names child resources with their parent (`server/db`)
  const name = r.name && !r.name.includes('/') ? r.name : parsed?.name;
  return armItem(
    { ...r, name },
    r.type || parsed?.type || taskType,
    {
      kind: r.kind,
      sku: r.sku?.name,
      skuTier: r.sku?.tier,
      managedBy: r.managedBy,
      identityType: r.identity?.type,
      provisioningState: r.provisioningState,
      createdTime: r.createdTime?.toISOString(),
      changedTime: r.changedTime?.toISOString(),
    },
    r.provisioningState,
  );
}

export const GENERIC_SLUG = 'resources';

export const genericResources: Discoverer = {
  type: '*',
  slug: GENERIC_SLUG,
  generic: true,
  // an event's refresh: one GET by id with the provider's current API version, mapped as listed
  getById: (id, ctx) => genericGetById(id, ctx, mapGenericResource),
  listPage: (ctx) => {
    const taskType = ctx.resourceType ?? '';
    if (!/^[\w.-]+(\/[\w.-]+)+$/.test(taskType)) throw new Error(`not an ARM resource type: ${taskType}`);
    const client = () => ctx.arm.client(sdk.resources().ResourceManagementClient, ctx.subscriptionId);
    const options = {
      filter: `resourceType eq '${taskType}'`,
      expand: 'provisioningState,createdTime,changedTime',
    };
    return listArmPage(
      ctx,
      {
        all: () => client().resources.list(options),
        byResourceGroup: (rg) => client().resources.listByResourceGroup(rg, options),
        continuationOf: sdk.resources().getContinuationToken,
      },
      (r) => mapGenericResource(r, taskType),
    );
  },
};

/**
 * One page of a subscription's whole generic list (no type filter): the Resource Manager path's
 * inventory when Resource Graph cannot say which types exist. Items keep the type Azure gave them.
 */
export function listSubscriptionResourcesPage(ctx: ListingContext): Promise<ListingPage> {
  const client = () => ctx.arm.client(sdk.resources().ResourceManagementClient, ctx.subscriptionId);
  const options = { expand: 'provisioningState,createdTime,changedTime' };
  return listArmPage(
    ctx,
    {
      all: () => client().resources.list(options),
      byResourceGroup: (rg) => client().resources.listByResourceGroup(rg, options),
      continuationOf: sdk.resources().getContinuationToken,
    },
    (r) => mapGenericResource(r, r.type ?? ''),
  );
}
