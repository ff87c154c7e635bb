import type { Discoverer } from '../discovery/Discoverer';
import { mapEach } from '../discovery/Discoverer';
import { genericResources, mapGenericResource } from '../discovery/types/genericResources';
import { discoverQueueName } from '../discovery/registry';
import { graphRowAsGeneric } from '../discovery/graphRowAsGeneric';
import { rowsAsArmClients } from '../discovery/rowsAsArmClients';
import { armListingSource, describeWriteFailure } from './armListingSource';
import { describeFailure } from './describeFailure';
import { fetchJoinedPage } from './fetchJoinedPage';
import type { PageMessage } from './messages';
import { pageCounts, type PageSource } from './PageSource';
import type { ScanContext } from './ScanContext';
import { writeResources } from './writeResources';

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
 * A page of a Resource Graph `$skipToken` chain (the Resource Graph path): one message = one
 * query of up to 1,000 rows of the task's (subscription, type[, resource group]), mapped by the
 * same mapper the Resource Manager listing uses (a dedicated type's listing run over the rows,
 * see rowsAsArmClients.ts; the generic mapper for the rest), and enriched from Resource Manager
 * as a listing is (VM sizes). The page step claims, sends the continuation, writes and marks done
 * exactly as for a listing; a task's removals follow the same rule (only when every page of its
 * chain was read cleanly). Graph lags Azure by up to ~30 s: each page records when Graph answered
 * (`graphAnsweredAt` on its marker).
 */
export function graphSource(ctx: ScanContext, discoverer: Discoverer): PageSource {
  const source = discoverer.generic ? genericGraphSource(ctx) : dedicatedGraphSource(ctx, discoverer);
  return {
    ...source,
    describeFailure: (error, msg, stage) =>
      stage === 'write'
        ? { kind: 'fail', message: describeWriteFailure(error) }
        : {
            kind: 'fail',
            message: `the Resource Graph query for ${msg.resourceType} in subscription ${msg.subscriptionId} failed: ${describeFailure(error, msg).message}`,
          },
  };
}

function query(ctx: ScanContext, msg: PageMessage) {
  return ctx.deps.arm.resourceGraphRows({
    types: [msg.resourceType],
    subscriptionIds: [msg.subscriptionId],
    ...(msg.resourceGroup ? { resourceGroup: msg.resourceGroup } : {}),
    ...(msg.continuationToken ? { skipToken: msg.continuationToken } : {}),
  });
}

function dedicatedGraphSource(ctx: ScanContext, discoverer: Discoverer): Omit<PageSource, 'describeFailure'> {
  const answeredAt = new Map<string, string>();
  const listing = armListingSource(ctx, discoverer, async (d, scope, msg) => {
    const answer = await query(ctx, msg);
    answeredAt.set(msg.taskId, answer.answeredAt);
    // the rows are the whole page: the type's listing (and state listing) run over them once
    const page = await fetchJoinedPage(
      d,
      { ...scope, arm: rowsAsArmClients(answer.rows) },
      {
        ...msg,
        continuationToken: undefined,
        stateContinuationToken: undefined,
        primaryDone: false,
        stateDone: false,
      },
    );
    return { ...page, next: answer.skipToken ? { continuationToken: answer.skipToken } : undefined };
  });
  return {
    ...listing,
    async read(msg) {
      const page = await listing.read(msg);
      return {
        ...page,
        async write() {
          const written = await page.write();
          const at = answeredAt.get(msg.taskId);
          return { ...written, counts: { ...written.counts, ...(at ? { graphAnsweredAt: at } : {}) } };
        },
      };
    },
  };
}

/** Types without a dedicated discoverer: the generic mapper over the rows (its failures described above). */
function genericGraphSource(ctx: ScanContext): Omit<PageSource, 'describeFailure'> {
  return {
    queueName: () => discoverQueueName(genericResources),
    async read(msg) {
      const listedAt = ctx.now().toISOString();
      const answer = await query(ctx, msg);
      const { items, skipped } = mapEach(answer.rows.map(graphRowAsGeneric), (r) =>
        mapGenericResource(r, msg.resourceType),
      );
      return {
        ...(answer.skipToken ? { next: { continuationToken: answer.skipToken } } : {}),
        async write() {
          const written = await writeResources(ctx, msg, items, [], {
            typeOf: (item) => item.type,
            canonicalType: msg.resourceType,
            listedAt,
          });
          return {
            counts: {
              ...pageCounts({ items: items.length, skipped, written }),
              graphAnsweredAt: answer.answeredAt,
            },
          };
        },
      };
    },
  };
}
