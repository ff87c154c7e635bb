import type { DiscoveredItem, Resource, ResourceStatus } from '../discovery/Resource';
import { contentHash } from '../changes/contentHash';
import { environmentFromTags, parseResourceId } from '../discovery/Resource';
import { readJsonColumns, writeJsonColumns } from './jsonColumns';
import { resourceKeyFromId, resourcePartitionKey, resourceRowKey } from './keys';

export type TableEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** Hashes carry their scheme's version: a row hashed another way is rewritten, not reported as modified. */
const HASH_VERSION = 'v2.';

/** Hash of what a primary listing says about a resource (volatile fields excluded); another hash is a modification. */
export function resourceHash(item: DiscoveredItem): string {
  return HASH_VERSION + contentHash(item);
}

export function isCurrentHash(hash: string | undefined): boolean {
  return Boolean(hash?.startsWith(HASH_VERSION));
}

export interface StampFields {
  scanId: string;
  seenAt: string;
  /** discoveredAt of the stored row, when there is one */
  discoveredAt?: string;
  /** the registry's canonical type name, so stored types have one casing */
  canonicalType: string;
  /** who made the change this write records (an event's actor); '' clears an earlier one */
  changedBy?: string;
  /**
   * When Azure was read for this row (before the listing or the GET), if not `seenAt`: an event
   * after it is newer than the row, one before it is already reflected.
   */
  readAt?: string;
}

/** The `resources` keys of an item's row, stored under `canonicalType`. */
export function resourceKeysOf(id: string, canonicalType: string): { partitionKey: string; rowKey: string } {
  const parsed = parseResourceId(id);
  return {
    partitionKey: resourcePartitionKey(
      parsed?.subscriptionId ?? '',
      canonicalType,
      parsed?.resourceGroup ?? '',
    ),
    rowKey: resourceRowKey(id),
  };
}

/** The row a primary listing writes (merged: it never touches `status`, which a state listing owns). */
export function primaryEntity(item: DiscoveredItem, stamp: StampFields): TableEntity {
  const parsed = parseResourceId(item.id);
  const subscriptionId = parsed?.subscriptionId ?? '';
  const resourceGroup = parsed?.resourceGroup ?? '';
  const entity: TableEntity = {
    partitionKey: resourcePartitionKey(subscriptionId, stamp.canonicalType, resourceGroup),
    rowKey: resourceRowKey(item.id),
    id: item.id,
    key: resourceKeyFromId(item.id),
    name: item.name,
    type: stamp.canonicalType,
    typeLower: stamp.canonicalType.toLowerCase(),
    subscriptionId,
    resourceGroup,
    resourceGroupLower: resourceGroup.toLowerCase(),
    location: item.location,
    environment: environmentFromTags(item.tags) ?? '',
    ...writeJsonColumns('tags', item.tags),
    ...writeJsonColumns('properties', item.properties),
    hash: resourceHash(item),
    discoveredAt: stamp.discoveredAt ?? stamp.seenAt,
    firstSeenAt: stamp.discoveredAt ?? stamp.seenAt,
    lastSeenAt: stamp.seenAt,
    scanId: stamp.scanId,
    refreshedAt: stamp.readAt ?? stamp.seenAt,
    // a change a scan finds has no known actor: the row must not keep an earlier event's
    changedBy: stamp.changedBy ?? '',
  };
  if (item.status) entity.status = item.status;
  // The state columns a state listing also writes, so an unchanged row can be told by its columns.
  if (item.properties.powerState !== undefined) entity.powerState = String(item.properties.powerState);
  return entity;
}

/** The row a state listing merges: only the state columns. */
export function stateEntity(item: DiscoveredItem, stamp: StampFields): TableEntity {
  return {
    ...resourceKeysOf(item.id, stamp.canonicalType),
    status: item.status ?? 'unknown',
    ...(item.properties.powerState ? { powerState: String(item.properties.powerState) } : {}),
    statusSeenAt: stamp.seenAt,
  };
}

export function entityToResource(entity: Record<string, unknown>): Resource {
  const str = (k: string): string => (typeof entity[k] === 'string' ? (entity[k] as string) : '');
  const properties = readJsonColumns<Record<string, unknown>>('properties', entity, {});
  if (typeof entity.powerState === 'string' && properties.powerState === undefined) {
    properties.powerState = entity.powerState;
  }
  // Kubernetes rows' moving counts (src/kubernetes/writeObjects.ts): shown, never hashed.
  for (const column of ['k8sLive', 'k8sPods'])
    if (typeof entity[column] === 'string') Object.assign(properties, JSON.parse(entity[column] as string));
  return {
    id: str('id'),
    key: str('key'),
    name: str('name'),
    type: str('type'),
    subscriptionId: str('subscriptionId'),
    resourceGroup: str('resourceGroup'),
    location: str('location'),
    status: (str('status') || 'unknown') as ResourceStatus,
    environment: str('environment') || null,
    tags: readJsonColumns<Record<string, string>>('tags', entity, {}),
    properties,
    discoveredAt: str('discoveredAt'),
    // rows written before firstSeenAt existed: their discoveredAt is the same moment
    firstSeenAt: str('firstSeenAt') || str('discoveredAt'),
    lastSeenAt: str('lastSeenAt'),
    scanId: str('scanId'),
    refreshedAt:
      [str('refreshedAt'), str('lastSeenAt'), str('statusSeenAt')].filter(Boolean).sort().pop() ?? '',
    ...(str('changedBy') ? { changedBy: str('changedBy') } : {}),
  };
}
