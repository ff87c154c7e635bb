import pLimit from 'p-limit';
import type { Discoverer } from '../discovery/Discoverer';
import { mapEach } from '../discovery/Discoverer';
import { genericResources, mapGenericResource } from '../discovery/types/genericResources';
import { discoverQueueName } from '../discovery/registry';
import { graphRowAsGeneric } from '../discovery/graphRowAsGeneric';
import { rowsAsArmClients } from '../discovery/rowsAsArmClients';
import { canonicalType, findDiscoverer } from '../discovery/registry';
import { describeWriteFailure } from './armListingSource';
import { describeFailure } from './describeFailure';
import { fetchJoinedPage, type JoinedPage } from './fetchJoinedPage';
import { taskIdFor } from './taskIdFor';
import type { PageMessage } from './messages';
import { pageCounts, type PageSource } from './PageSource';
import type { ScanContext } from './ScanContext';
import { writeResources, type WriteOptions } from './writeResources';
import { readExistingInOneRange } from './readExisting';
import type { DiscoveredItem } from '../discovery/Resource';
import { resourceKeysOf } from '../storage/resourceEntity';
import { prefixEnd } from '../storage/keys';
import { tombstonesSince } from '../storage/tombstones';

/**
 * Dedicated types whose Resource Manager listing is made of list calls only, so a Graph page can
 * stand in for it. Sites (settings and connection strings), SQL databases (listed per server) and
 * Service Bus namespaces (the network rule set) read more inside their listing: they stay on
 * Resource Manager listings (docs/inventory.md).
 */
const LIST_ONLY = new Set(
  [
    'Microsoft.Compute/virtualMachines',
    'Microsoft.Compute/virtualMachineScaleSets',
    'Microsoft.Compute/disks',
    'Microsoft.Network/virtualNetworks',
    'Microsoft.Network/networkInterfaces',
    'Microsoft.Network/networkSecurityGroups',
    'Microsoft.Network/publicIPAddresses',
    'Microsoft.Network/loadBalancers',
    'Microsoft.Network/applicationGateways',
    'Microsoft.Network/privateEndpoints',
    'Microsoft.Network/routeTables',
    'Microsoft.KeyVault/vaults',
    'Microsoft.Storage/storageAccounts',
    'Microsoft.Cache/redis',
    'Microsoft.DocumentDB/databaseAccounts',
    'Microsoft.AppConfiguration/configurationStores',
    'Microsoft.ContainerService/managedClusters',
    'Microsoft.Web/serverfarms',
    'Microsoft.Sql/servers',
  ].map((t) => t.toLowerCase()),
);

/** Whether a task of this discoverer can be read as Resource Graph pages. */
export function graphReadable(discoverer: Discoverer | undefined): boolean {
  return Boolean(discoverer && (discoverer.generic || LIST_ONLY.has(discoverer.type.toLowerCase())));
}

/**
 * A page of a Resource Graph `$skipToken` chain (the Resource Graph path; planChains.ts): one
 * message = one query of up to 1,000 rows of the chain's subscriptions × types[, resource group].
 * The rows are split by (subscription, type), the scan's tasks, and each part is mapped by the
 * same mapper the Resource Manager listing uses (a dedicated type's listing run over the rows, see
 * rowsAsArmClients.ts; the generic mapper for the rest), enriched from Resource Manager as a
 * listing is (VM sizes), and written as that task's. The page step claims, sends the continuation,
 * writes and marks done exactly as for a listing, on the chain's lead task; the marker keeps each
 * task's counts, and every task of the chain ends when the chain does, so a task's removals follow
 * the same rule (only when every page of its chain was read cleanly). Graph lags Azure by up to
 * ~30 s: each page records when Graph answered (`graphAnsweredAt` on its marker).
 */
/** How far Resource Graph's answers may lag Azure (Microsoft documents up to about 30 s). */
export const GRAPH_LAG_MS = 30_000;

export function graphChainSource(ctx: ScanContext): PageSource {
  return {
    queueName: () => discoverQueueName(genericResources),
    async read(msg) {
      const chain = msg.chain;
      if (!chain) throw new Error('a Resource Graph page message without its chain');
      // Graph answers from a snapshot up to ~30 s behind Azure: its rows count as listed that much
      // earlier, so an event's delete (tombstone) or re-read in that window still wins over them.
      const listedAt = new Date(ctx.now().getTime() - GRAPH_LAG_MS).toISOString();
      const answer = await ctx.deps.arm.resourceGraphRows({
        types: chain.types,
        subscriptionIds: chain.subscriptionIds,
        ...(msg.resourceGroup ? { resourceGroup: msg.resourceGroup } : {}),
        ...(msg.continuationToken ? { skipToken: msg.continuationToken } : {}),
      });
      const parts = await Promise.all(
        splitRows(answer.rows).map((rows) => mapPart(ctx, msg, rows.subscriptionId, rows.type, rows.rows)),
      );
      return {
        ...(answer.skipToken ? { next: { continuationToken: answer.skipToken } } : {}),
        async complete() {
          await Promise.all(
            parts.map(async (p) => {
              if (p.discoverer.enrich && p.page.items.length)
                p.page.items = await p.discoverer.enrich(p.page.items, {
                  subscriptionId: p.subscriptionId,
                  resourceType: p.resourceType,
                  ...(msg.resourceGroup ? { resourceGroup: msg.resourceGroup } : {}),
                  arm: ctx.deps.arm,
                });
            }),
          );
        },
        async write() {
          const baseline = new Set(chain.baseline ?? []);
          const members: Record<string, [number, number, number, number]> = {};
          const seen: string[] = [];
          let added = 0;
          let modified = 0;
          const shared = await pageReads(ctx, parts, listedAt);
          const limit = pLimit(4);
          const written = await Promise.all(
            parts.map((p) =>
              limit(() =>
                writeResources(
                  ctx,
                  {
                    ...msg,
                    taskId: p.taskId,
                    subscriptionId: p.subscriptionId,
                    resourceType: p.resourceType,
                    baseline: baseline.has(p.subscriptionId) || undefined,
                  },
                  p.page.items,
                  p.page.stateOnly,
                  {
                    typeOf: (item) => (p.discoverer.generic ? item.type : p.discoverer.type),
                    canonicalType: p.resourceType,
                    listedAt,
                    ...shared,
                  },
                ),
              ),
            ),
          );
          parts.forEach((p, i) => {
            const w = written[i] as { added: number; modified: number; seen: string };
            members[p.taskId] = [p.page.items.length, w.added, w.modified, p.page.skipped.length];
            // 6 bytes a key: each part's base64 has no padding, so the parts concatenate
            seen.push(w.seen);
            added += w.added;
            modified += w.modified;
          });
          return {
            counts: {
              ...pageCounts({
                items: parts.reduce((n, p) => n + p.page.items.length, 0),
                stateItems: parts.reduce((n, p) => n + p.page.stateOnly.length, 0),
                skipped: parts.flatMap((p) => p.page.skipped),
                warnings: parts.flatMap((p) => p.page.warnings),
                written: { added, modified, seen: seen.join('') },
              }),
              graphAnsweredAt: answer.answeredAt,
              members: JSON.stringify(members),
            },
          };
        },
      };
    },
    describeFailure: (error, msg, stage) => {
      if (stage === 'write') return { kind: 'fail', message: describeWriteFailure(error) };
      const chain = msg.chain;
      const subs = chain?.subscriptionIds ?? [msg.subscriptionId];
      const what = `the Resource Graph query for ${chain?.types.length ?? 1} type(s) in ${subs.length === 1 ? `subscription ${subs[0]}` : `${subs.length} subscriptions (${subs[0]} …)`}`;
      const described = describeFailure(error, {
        ...msg,
        subscriptionId: subs.length === 1 ? (subs[0] as string) : `${subs[0]} and ${subs.length - 1} more`,
        resourceType: 'Microsoft.ResourceGraph/resources',
      });
      return { kind: 'fail', message: `${what} failed: ${described.message}` };
    },
  };
}

/**
 * The page's reads, once for all its parts: what is stored for its rows (one range query, not one
 * per (subscription, type)), and, when a part writes, the tombstones of the page's subscriptions
 * (one query, asked at most once, and not at all when no part writes).
 */
async function pageReads(
  ctx: ScanContext,
  parts: Part[],
  listedAt: string,
): Promise<Pick<WriteOptions, 'existing' | 'deletedSince'>> {
  const keys = parts.flatMap((p) => {
    const typeOf = (item: DiscoveredItem) => (p.discoverer.generic ? item.type : p.discoverer.type);
    return [...p.page.items, ...p.page.stateOnly].map((item) => resourceKeysOf(item.id, typeOf(item)));
  });
  const existing = await readExistingInOneRange(ctx.deps.tables.resources, keys);
  const subscriptions = parts.map((p) => p.subscriptionId).sort();
  let deleted: Promise<Set<string>> | undefined;
  return {
    existing,
    async deletedSince(rows) {
      // nothing to write (an unchanged page): no tombstone to ask about
      if (!rows.length) return new Set();
      deleted ??= tombstonesSince(
        ctx.deps.tables.tombstones,
        { from: `${subscriptions[0]}|`, before: prefixEnd(`${subscriptions[subscriptions.length - 1]}|`) },
        listedAt,
      );
      const gone = await deleted;
      return new Set(rows.filter((r) => gone.has(`${r.partitionKey}\n${r.rowKey}`)).map((r) => r.rowKey));
    },
  };
}

interface Part {
  taskId: string;
  subscriptionId: string;
  resourceType: string;
  discoverer: Discoverer;
  page: JoinedPage;
}

/** A page's rows by (lower-case subscription, lower-case type), in the order Graph gave them. */
function splitRows(
  rows: Array<Record<string, unknown>>,
): Array<{ subscriptionId: string; type: string; rows: Array<Record<string, unknown>> }> {
  const out = new Map<
    string,
    { subscriptionId: string; type: string; rows: Array<Record<string, unknown>> }
  >();
  for (const row of rows) {
    const subscriptionId = String(row.subscriptionId ?? '').toLowerCase();
    const type = String(row.type ?? '').toLowerCase();
    const key = `${subscriptionId}|${type}`;
    let part = out.get(key);
    if (!part) out.set(key, (part = { subscriptionId, type, rows: [] }));
    part.rows.push(row);
  }
  return [...out.values()];
}

/** One task's rows of the page, mapped as its own listing maps them. */
async function mapPart(
  ctx: ScanContext,
  msg: PageMessage,
  subscriptionId: string,
  type: string,
  rows: Array<Record<string, unknown>>,
): Promise<Part> {
  const discoverer = findDiscoverer(type) ?? genericResources;
  const resourceType = canonicalType(type);
  const taskId = taskIdFor(subscriptionId, discoverer, msg.resourceGroup, resourceType);
  if (discoverer.generic) {
    const { items, skipped } = mapEach(rows.map(graphRowAsGeneric), (r) =>
      mapGenericResource(r, resourceType),
    );
    return {
      taskId,
      subscriptionId,
      resourceType,
      discoverer,
      page: { items, stateOnly: [], skipped, warnings: [] },
    };
  }
  // the rows are the whole page: the type's listing (and state listing) run over them once
  const page = await fetchJoinedPage(
    discoverer,
    {
      subscriptionId,
      resourceType,
      ...(msg.resourceGroup ? { resourceGroup: msg.resourceGroup } : {}),
      arm: rowsAsArmClients(rows),
    },
    {
      ...msg,
      subscriptionId,
      resourceType,
      continuationToken: undefined,
      stateContinuationToken: undefined,
      primaryDone: false,
      stateDone: false,
    },
  );
  ctx.deps.logger.debug('Resource Graph rows mapped', { scanId: msg.scanId, taskId, rows: rows.length });
  return { taskId, subscriptionId, resourceType, discoverer, page };
}
