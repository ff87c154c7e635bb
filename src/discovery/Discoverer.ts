import type { ArmClients } from './armClients';
import type { DiscoveredItem } from './Resource';

export interface ListingContext {
  subscriptionId: string;
  resourceGroup?: string;
  continuationToken?: string;
  arm: ArmClients;
}

export interface ListingPage {
  items: DiscoveredItem[];
  /** Present when there is another page; opaque (Resource Manager's nextLink). */
  continuationToken?: string;
}

/**
 * One paged listing of a resource type. A `primary` listing owns the resource rows and
 * decides removals; a `state` listing only merges state columns (e.g. VM power state, which
 * Resource Manager returns only from a separate statusOnly listing).
 */
export interface Listing {
  name: string;
  kind: 'primary' | 'state';
  listPage(ctx: ListingContext): Promise<ListingPage>;
}

export interface Discoverer {
  /** Canonical ARM type, e.g. `Microsoft.Compute/virtualMachines`. */
  type: string;
  /** Short lower-case name: the queue is `discover-<slug>`. */
  slug: string;
  listings: Listing[];
  /** Adds details that need other calls (sizes, SKUs), once per page. */
  enrich?(items: DiscoveredItem[], ctx: ListingContext): Promise<DiscoveredItem[]>;
}

/** The first page from an SDK paged iterator, starting at a continuation token. */
export async function firstPage<T>(
  pages: AsyncIterableIterator<T[] & { continuationToken?: string }>,
): Promise<{ items: T[]; continuationToken?: string }> {
  const next = await pages.next();
  if (next.done || !next.value) return { items: [] };
  const page = next.value;
  return { items: [...page], continuationToken: page.continuationToken || undefined };
}
