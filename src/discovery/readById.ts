import type { ArmClients } from './armClients';
import type { Discoverer, ListingPage } from './Discoverer';
import { dedupeById } from './listArmPage';
import { parseResourceId, type DiscoveredItem } from './Resource';

/** Pages of a resource group's listing read at most to find one resource (100 items a page). */
const MAX_GROUP_PAGES = 5;

export interface ReadById {
  /** The resource as a scan maps it (enriched); undefined when Azure no longer has it. */
  item?: DiscoveredItem;
  /** Resource Manager requests this read needed (the listing's pages, the GET and its extras). */
  pages: number;
  warnings: ListingPage['warnings'];
}

/**
 * One resource read by id and mapped by the discoverer of its type, exactly as a scan maps it:
 * its `getById` when it has one (VMs, sites, and every type only the generic list keeps: one
 * GET with the provider's current API version), else the first pages of its resource group's
 * listing of that type, which goes through the very listing and mapping a scan runs, so the row
 * is the same byte for byte.
 */
export async function readById(
  discoverer: Discoverer,
  id: string,
  arm: ArmClients,
  type: string,
): Promise<ReadById> {
  const parsed = parseResourceId(id);
  if (!parsed) return { pages: 0, warnings: [] };
  const ctx = {
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    resourceType: type,
    arm,
  };
  const wanted = id.toLowerCase();
  let found: DiscoveredItem | undefined;
  let pages = 0;
  const warnings: NonNullable<ListingPage['warnings']> = [];
  if (discoverer.getById) {
    const page = await discoverer.getById(id, ctx);
    pages++;
    warnings.push(...(page.warnings ?? []));
    found = page.items.find((i) => i.id.toLowerCase() === wanted);
  } else {
    let continuationToken: string | undefined;
    do {
      const page = await discoverer.listPage({ ...ctx, continuationToken });
      pages++;
      warnings.push(...(page.warnings ?? []));
      found = dedupeById(page.items).find((i) => i.id.toLowerCase() === wanted);
      continuationToken = page.continuationToken;
    } while (!found && continuationToken && pages < MAX_GROUP_PAGES);
    if (!found && continuationToken)
      throw new Error(
        `${id} was not in the first ${MAX_GROUP_PAGES} pages of its group's listing; the next scan reconciles it`,
      );
  }
  if (found && discoverer.enrich) found = (await discoverer.enrich([found], ctx))[0];
  return { ...(found ? { item: found } : {}), pages, warnings };
}
