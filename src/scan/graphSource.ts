import { mapEach } from '../discovery/Discoverer';
import { genericResources, mapGenericResource } from '../discovery/types/genericResources';
import { discoverQueueName } from '../discovery/registry';
import { graphRowAsGeneric } from '../discovery/graphRowAsGeneric';
import { redactText } from '../telemetry/redact';
import { describeWriteFailure } from './armListingSource';
import { describeFailure } from './describeFailure';
import type { PageSource } from './PageSource';
import type { ScanContext } from './ScanContext';
import { writeResources } from './writeResources';

/**
 * A page of a Resource Graph `$skipToken` chain (the Resource Graph path): one message = one
 * query of up to 1,000 rows of the task's (subscription, type[, resource group]), mapped by the
 * same mapper the Resource Manager listing uses. The page step claims, sends the continuation,
 * writes and marks done exactly as for a listing; a task's removals follow the same rule (only
 * when every page of its chain was read cleanly). Graph lags Azure by up to ~30 s: each page
 * records when Graph answered (`graphAnsweredAt` on its marker).
 */
export function graphSource(ctx: ScanContext): PageSource {
  return {
    queueName: () => discoverQueueName(genericResources),
    async read(msg) {
      const answer = await ctx.deps.arm.resourceGraphRows({
        types: [msg.resourceType],
        subscriptionIds: [msg.subscriptionId],
        ...(msg.resourceGroup ? { resourceGroup: msg.resourceGroup } : {}),
        ...(msg.continuationToken ? { skipToken: msg.continuationToken } : {}),
      });
      const { items, skipped } = mapEach(answer.rows.map(graphRowAsGeneric), (r) =>
        mapGenericResource(r, msg.resourceType),
      );
      return {
        ...(answer.skipToken ? { next: { continuationToken: answer.skipToken } } : {}),
        async write() {
          const written = await writeResources(ctx, msg, items, [], {
            typeOf: (item) => item.type,
            canonicalType: msg.resourceType,
          });
          return {
            counts: {
              items: items.length,
              skippedItems: skipped.length,
              ...(skipped[0]
                ? { skippedSample: redactText(`${skipped[0].id}: ${skipped[0].error}`).slice(0, 1000) }
                : {}),
              added: written.added,
              modified: written.modified,
              seen: written.seen,
              graphAnsweredAt: answer.answeredAt,
            },
          };
        },
      };
    },
    describeFailure: (error, msg, stage) =>
      stage === 'write'
        ? { kind: 'fail', message: describeWriteFailure(error) }
        : {
            kind: 'fail',
            message: `Resource Graph query for ${msg.resourceType} in subscription ${msg.subscriptionId} failed: ${describeFailure(error, msg).message}`,
          },
  };
}
