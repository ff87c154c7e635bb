import type { ArmClients } from './armClients';
import type { Discoverer, ListingPage } from './Discoverer';
import { parseResourceId, type DiscoveredItem } from './Resource';

export interface ReadById {
  /** The resource as a scan maps it (enriched); undefined when Azure no longer has it. */
  item?: DiscoveredItem;
  warnings: ListingPage['warnings'];
}

/**
 * One resource read by id and mapped by the discoverer of its type, exactly as a scan maps it:
 * the discoverer's `getById` (one GET, plus the per-item reads its listing adds: a site's
 * settings, a Service Bus namespace's rule set; the generic reader for every type only the
 * generic list keeps, with the provider's current API version), then its `enrich` as a scan's
 * page gets it. No listing is read, so a group of any size costs the same.
 */
export async function readById(
  discoverer: Discoverer,
  id: string,
  arm: ArmClients,
  type: string,
): Promise<ReadById> {
  const parsed = parseResourceId(id);
  if (!parsed) return { warnings: [] };
  const ctx = {
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    resourceType: type,
    arm,
  };
  const wanted = id.toLowerCase();
  const page = await discoverer.getById(id, ctx);
  let found = page.items.find((i) => i.id.toLowerCase() === wanted);
  if (found && discoverer.enrich) found = (await discoverer.enrich([found], ctx))[0];
  return { ...(found ? { item: found } : {}), warnings: [...(page.warnings ?? [])] };
}
