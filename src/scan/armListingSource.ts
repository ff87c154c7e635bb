import type { Discoverer } from '../discovery/Discoverer';
import { discoverQueueName } from '../discovery/registry';
import type { DiscoveredItem } from '../discovery/Resource';
import { describeFailure } from './describeFailure';
import { fetchJoinedPage, type JoinedPage } from './fetchJoinedPage';
import type { PageMessage } from './messages';
import { pageCounts, type PageSource, type SourcePage } from './PageSource';
import type { ScanContext } from './ScanContext';
import { writeResources } from './writeResources';

/** A storage refusal names the setting and the role to check. */
export function describeWriteFailure(error: { statusCode?: number; code: string; message: string }): string {
  return `Table Storage refused the page (${error.statusCode ?? ''} ${error.code}): ${error.message}; check AzureWebJobsStorage and that the identity has Storage Table Data Contributor`;
}

/** Reads one page of a discoverer's listing (Resource Manager's by default, or a Graph chain's). */
export type PageFetcher = (
  discoverer: Discoverer,
  listing: Parameters<typeof fetchJoinedPage>[1],
  msg: PageMessage,
) => Promise<JoinedPage>;

/**
 * A page of one (subscription, type[, resource group]) Resource Manager listing by the type's
 * discoverer, joined with its state listing, enriched once the next page is on its way. `fetch`
 * replaces the listing calls (a Resource Graph page); enrichment still reads Resource Manager.
 */
export function armListingSource(
  ctx: ScanContext,
  discoverer: Discoverer,
  fetch: PageFetcher = fetchJoinedPage,
): PageSource {
  return {
    queueName: () => discoverQueueName(discoverer),
    async read(msg: PageMessage): Promise<SourcePage> {
      const listing = {
        subscriptionId: msg.subscriptionId,
        resourceGroup: msg.resourceGroup,
        resourceType: msg.resourceType,
        arm: ctx.deps.arm,
      };
      const listedAt = ctx.now().toISOString();
      const fetched = await fetch(discoverer, listing, msg);
      const log = ctx.deps.logger.child({ scanId: msg.scanId, taskId: msg.taskId, page: msg.page });
      log.debug('page fetched', { items: fetched.items.length, more: Boolean(fetched.next) });
      return {
        next: fetched.next,
        async complete() {
          if (discoverer.enrich && fetched.items.length)
            fetched.items = await discoverer.enrich(fetched.items, listing);
        },
        async write() {
          const { items, stateOnly, skipped, warnings } = fetched;
          if (skipped.length) {
            log.warn('items in an unexpected shape skipped; the rest of the page is kept', {
              skipped: skipped.length,
              sample: skipped.slice(0, 3),
            });
          }
          // The generic listing's items keep the type Azure gave them; a dedicated type has one spelling.
          const typeOf = (item: DiscoveredItem): string => (discoverer.generic ? item.type : discoverer.type);
          const written = await writeResources(ctx, msg, items, stateOnly, {
            typeOf,
            canonicalType: discoverer.type,
            listedAt,
          });
          return {
            counts: pageCounts({
              items: items.length,
              stateItems: stateOnly.length,
              skipped,
              warnings,
              written,
            }),
          };
        },
      };
    },
    describeFailure: (error, msg, stage) =>
      stage === 'write'
        ? { kind: 'fail', message: describeWriteFailure(error) }
        : describeFailure(error, msg),
  };
}
