import { isRestError } from '@azure/core-rest-pipeline';
import type { GenericResourceExpanded } from '@azure/arm-resources';
import type { ArmClients } from './armClients';
import { mapEach, type ListingContext, type ListingPage } from './Discoverer';
import { parseResourceId, type DiscoveredItem } from './Resource';
import { sdk } from './sdk';

/**
 * Properties the generic list gives (`$expand=createdTime,changedTime`) and a GET by id does not:
 * an event's refresh keeps the stored row's values of them (createdTime never changes;
 * changedTime is volatile, never compared), so its row is the row a scan stores.
 */
export const LISTING_ONLY_PROPERTIES: readonly string[] = ['createdTime', 'changedTime'];

/** API versions per (clients, lower-case type): the provider document is read once per type. */
const versions = new WeakMap<ArmClients, Map<string, Promise<string>>>();

/**
 * The newest non-preview API version the provider lists for the type (a type with previews only:
 * its newest preview), from `GET /subscriptions/{s}/providers/{namespace}`, cached per type for
 * the life of these clients (a failed look-up is asked again next time).
 */
export function providerApiVersion(ctx: ListingContext, type: string): Promise<string> {
  let byType = versions.get(ctx.arm);
  if (!byType) versions.set(ctx.arm, (byType = new Map()));
  const key = type.toLowerCase();
  const cached = byType.get(key);
  if (cached) return cached;
  const lookup = (async () => {
    const [namespace, ...rest] = type.split('/');
    const resourceType = rest.join('/').toLowerCase();
    const client = ctx.arm.client(sdk.resources().ResourceManagementClient, ctx.subscriptionId);
    const provider = await client.providers.get(namespace ?? '');
    const entry = provider.resourceTypes?.find((t) => t.resourceType?.toLowerCase() === resourceType);
    const all = [...(entry?.apiVersions ?? [])].sort().reverse();
    const chosen = all.find((v) => !/preview/i.test(v)) ?? all[0];
    if (!chosen)
      throw new Error(
        `the provider ${namespace ?? ''} lists no API version for ${type}: it cannot be read by id`,
      );
    return chosen;
  })();
  byType.set(key, lookup);
  lookup.catch(() => byType.delete(key));
  return lookup;
}

/**
 * One resource of a type no dedicated discoverer owns, read by id (`GET {id}?api-version=` with
 * the provider's current version) and mapped by the generic list's own mapping (`map`). The GET gives
 * the provisioning state inside `properties`, where the list's `$expand` puts it at the top.
 * An empty page: Azure no longer has it (404).
 */
export async function genericGetById(
  id: string,
  ctx: ListingContext,
  map: (r: GenericResourceExpanded, type: string) => DiscoveredItem,
): Promise<ListingPage> {
  const type = parseResourceId(id)?.type;
  if (!type) return { items: [] };
  const apiVersion = await providerApiVersion(ctx, type);
  const client = ctx.arm.client(sdk.resources().ResourceManagementClient, ctx.subscriptionId);
  let body: GenericResourceExpanded;
  try {
    // the SDK's path is `/{resourceId}`: without the id's own leading slash, one slash is sent
    body = await client.resources.getById(id.replace(/^\/+/, ''), apiVersion);
  } catch (e) {
    if (isRestError(e) && e.statusCode === 404) return { items: [] };
    throw e;
  }
  const state = (body.properties as { provisioningState?: unknown } | undefined)?.provisioningState;
  const asListed: GenericResourceExpanded = {
    ...body,
    ...(body.provisioningState === undefined && typeof state === 'string'
      ? { provisioningState: state }
      : {}),
  };
  return mapEach([asListed], (r) => map(r, type));
}
