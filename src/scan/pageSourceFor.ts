import { findDiscoverer } from '../discovery/registry';
import { armListingSource } from './armListingSource';
import { extensionSource } from './extensionSource';
import { graphChainSource } from './graphSource';
import { isInventoryTask } from './inventoryTask';
import { inventorySource } from './inventorySource';
import type { PageMessage } from './messages';
import type { PageSource } from './PageSource';
import type { ScanContext } from './ScanContext';

/** The source a page message reads from; undefined for a type this build does not know. */
export function pageSourceFor(ctx: ScanContext, msg: PageMessage): PageSource | undefined {
  const extension = ctx.extensionFor(msg.resourceType);
  if (extension) return extensionSource(extension);
  if (isInventoryTask(msg)) return inventorySource(ctx);
  if (msg.source === 'resourcegraph' && msg.chain) return graphChainSource(ctx);
  const discoverer = findDiscoverer(msg.resourceType);
  return discoverer ? armListingSource(ctx, discoverer) : undefined;
}
