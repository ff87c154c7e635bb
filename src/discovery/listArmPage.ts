import type { DiscoveredItem } from './Resource';
import { mapEach, type ListingContext, type ListingPage } from './Discoverer';

/** The paged list operations of one type: subscription-wide and per resource group. */
export interface PagedLists<T> {
  all(): { byPage(settings: { continuationToken?: string }): AsyncIterableIterator<T[]> };
  byResourceGroup(resourceGroup: string): {
    byPage(settings: { continuationToken?: string }): AsyncIterableIterator<T[]>;
  };
  /**
   * The SDK's `getContinuationToken` for the SDKs that keep a page's token aside (the classic
   * generated ones: network, sql, resources, ...); the newer ones put it on the page itself.
   */
  continuationOf?(page: unknown): string | undefined;
}

/**
 * One page of a type's listing, mapped item by item: an item that cannot be mapped costs that
 * item, and an item listed twice in the page is kept once.
 */
export async function listArmPage<T extends { id?: string }>(
  ctx: ListingContext,
  lists: PagedLists<T>,
  map: (raw: T) => DiscoveredItem,
): Promise<ListingPage> {
  const iterable = ctx.resourceGroup ? lists.byResourceGroup(ctx.resourceGroup) : lists.all();
  const pages = iterable.byPage({ continuationToken: ctx.continuationToken }) as AsyncIterableIterator<
    T[] & { continuationToken?: string }
  >;
  const next = await pages.next();
  const raw = next.done || !next.value ? [] : next.value;
  const continuationToken =
    (next.done || !next.value
      ? undefined
      : (lists.continuationOf?.(next.value) ?? next.value.continuationToken)) || undefined;
  const { items, skipped } = mapEach([...raw], map);
  return { items: dedupeById(items), skipped, continuationToken };
}

/** Azure sometimes lists the same item twice in one answer: one row per id (ids compare case-insensitively). */
export function dedupeById(items: DiscoveredItem[]): DiscoveredItem[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const k = i.id.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
