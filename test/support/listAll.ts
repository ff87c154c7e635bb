import type { ArmClients } from '../../src/discovery/armClients';
import type { Discoverer, ListingContext, PageWarning } from '../../src/discovery/Discoverer';
import type { DiscoveredItem } from '../../src/discovery/Resource';
import { fetchJoinedPage } from '../../src/scan/fetchJoinedPage';
import type { PageMessage } from '../../src/scan/messages';

export interface ListedTask {
  items: DiscoveredItem[];
  stateOnly: DiscoveredItem[];
  pages: number;
  skipped: number;
  warnings: PageWarning[];
}

/** Every item of one (subscription, type[, resource group]) task, page by page as a scan lists it. */
export async function listAll(
  d: Discoverer,
  arm: ArmClients,
  subscriptionId: string,
  resourceType: string,
  resourceGroup?: string,
): Promise<ListedTask> {
  const ctx: Omit<ListingContext, 'continuationToken'> = {
    subscriptionId,
    resourceType,
    arm,
    ...(resourceGroup ? { resourceGroup } : {}),
  };
  let msg = { page: 1 } as PageMessage;
  const out: ListedTask = { items: [], stateOnly: [], pages: 0, skipped: 0, warnings: [] };
  for (;;) {
    const page = await fetchJoinedPage(d, ctx, msg);
    // as ScanService does: details that need other calls (VM sizes), once per page
    if (d.enrich && page.items.length) page.items = await d.enrich(page.items, ctx);
    out.items.push(...page.items);
    out.stateOnly.push(...page.stateOnly);
    out.skipped += page.skipped.length;
    out.warnings.push(...page.warnings);
    out.pages = msg.page;
    if (!page.next) return out;
    msg = { ...msg, ...page.next, page: msg.page + 1 };
  }
}
