import type { ArmClients } from './armClients';
import type { DiscoveredItem } from './Resource';

export interface ListingContext {
  subscriptionId: string;
  /** The task's ARM type: the generic listing lists exactly this type. */
  resourceType?: string;
  resourceGroup?: string;
  /** Opaque continuation of this listing; undefined for its first page. */
  continuationToken?: string;
  arm: ArmClients;
}

export interface ListingPage {
  items: DiscoveredItem[];
  /** Present when there is another page; opaque (Resource Manager's nextLink). */
  continuationToken?: string;
  /** Items Azure returned that could not be mapped (schema drift); the rest of the page stands. */
  skipped?: SkippedItem[];
  /** Something the scan should report once without failing the task (a missing optional permission). */
  warnings?: PageWarning[];
}

export interface PageWarning {
  code: string;
  message: string;
}

export interface SkippedItem {
  id: string;
  error: string;
}

/**
 * Maps each raw item on its own, so one item in an unexpected shape costs that item, not the
 * page. Items without an id are dropped (nothing could key them).
 */
export function mapEach<T extends { id?: string }>(
  raw: T[],
  map: (item: T) => DiscoveredItem,
): { items: DiscoveredItem[]; skipped: SkippedItem[] } {
  const items: DiscoveredItem[] = [];
  const skipped: SkippedItem[] = [];
  for (const r of raw) {
    try {
      const item = map(r);
      if (item.id) items.push(item);
    } catch (e) {
      skipped.push({
        id: r.id ?? '(no id)',
        error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
      });
    }
  }
  return { items, skipped };
}

export interface Discoverer {
  /** Canonical ARM type, e.g. `Microsoft.Compute/virtualMachines`. */
  type: string;
  /** Short lower-case name: the queue is `discover-<slug>`. */
  slug: string;
  /**
   * The generic resources listing: it serves every type no dedicated discoverer owns, one
   * task per (subscription, type), and its items keep the type Azure gave them.
   */
  generic?: boolean;
  /** The listing that owns the resource rows (and decides removals). */
  listPage(ctx: ListingContext): Promise<ListingPage>;
  /**
   * A companion listing of state only (a VM's power state comes only from a separate
   * statusOnly listing). Paged alongside the primary one in the same message and joined
   * by id; state items that match no primary item of the page are merged on their own.
   */
  listStatePage?(ctx: ListingContext): Promise<ListingPage>;
  /** Adds details that need other calls (sizes, SKUs), once per page. */
  enrich?(items: DiscoveredItem[], ctx: ListingContext): Promise<DiscoveredItem[]>;
  /**
   * One resource read by id (an event's refresh): one GET (src/discovery/getArmById.ts; the generic
   * listing: src/discovery/genericGetById.ts), mapped by the same function as the listing and given
   * the same per-item reads and state join a scan gives it, so its row is the row a scan stores.
   * An empty page: the resource is gone. Every discoverer has one: an event never reads a listing.
   */
  getById(id: string, ctx: ListingContext): Promise<ListingPage>;
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
