import { findDiscoverer } from '../discovery/registry';
import { armListingSource } from './armListingSource';
import { extensionSource } from './extensionSource';
import { graphReadable, graphSource } from './graphSource';
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
  const discoverer = findDiscoverer(msg.resourceType);
  if (msg.source === 'resourcegraph' && discoverer && graphReadable(discoverer))
    return graphSource(ctx, discoverer);
  return discoverer ? armListingSource(ctx, discoverer) : undefined;
}
