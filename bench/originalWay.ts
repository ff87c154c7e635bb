import type { ArmClients } from '../src/discovery/armClients';
import type { DiscoveredItem } from '../src/discovery/Resource';
import { parallelMap } from '../src/resilience/parallelMap';
import { fetchJoinedPage } from '../src/scan/fetchJoinedPage';
import type { PageMessage } from '../src/scan/messages';
import type { PlannedTask } from '../src/scan/planTasks';
import { primaryEntity } from '../src/storage/resourceEntity';
import type { Tables } from '../src/storage/tables';

/**
 * The estate scanned the original's way (reference-behaviour.md): one process, a worker pool of
 * 5 over (subscription, type) pairs, each pair's pages fetched in sequence, each resource stored
 * on its own as it was listed, no queues. Same discoverers, same SDK clients, same storage.
 */
export async function scanTheOriginalWay(
  tasks: PlannedTask[],
  arm: ArmClients,
  tables: Tables,
): Promise<{ resources: number; failures: number }> {
  const scanId = `original-${Date.now()}`;
  let resources = 0;
  const result = await parallelMap(
    tasks,
    async (t) => {
      const ctx = { subscriptionId: t.subscriptionId, resourceType: t.resourceType, arm };
      let msg = { page: 1 } as PageMessage;
      for (;;) {
        const page = await fetchJoinedPage(t.discoverer, ctx, msg);
        let items: DiscoveredItem[] = page.items;
        if (t.discoverer.enrich && items.length) items = await t.discoverer.enrich(items, ctx);
        for (const item of items) {
          const canonicalType = t.discoverer.generic ? item.type : t.discoverer.type;
          const entity = primaryEntity(item, { scanId, seenAt: new Date().toISOString(), canonicalType });
          await tables.resources.upsertEntity(entity, 'Merge');
          resources++;
        }
        if (!page.next) return;
        msg = { ...msg, ...page.next, page: msg.page + 1 };
      }
    },
    { concurrency: 5 },
  );
  return { resources, failures: result.errors.length };
}
