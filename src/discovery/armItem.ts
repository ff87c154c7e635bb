import { parseResourceId, statusFromState, type DiscoveredItem, type ResourceStatus } from './Resource';

/** What every ARM resource body carries at its top level (SDK models and raw JSON alike). */
export interface ArmResourceLike {
  id?: string;
  name?: string;
  type?: string;
  location?: string;
  tags?: Record<string, string>;
}

/** `East US` (Web, Cosmos DB and Service Bus lists) and `eastus` (everyone else) are one region. */
export function normalizeLocation(location: string | undefined): string {
  return (location ?? '').replace(/\s+/g, '').toLowerCase();
}

/** Drops undefined and null values: a field Azure did not give is left out, never invented. */
export function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

/** Ids of a list of sub-resource references (`[{id}]`), without the holes. */
export function idsOf(refs: ReadonlyArray<{ id?: string } | undefined> | undefined): string[] {
  return (refs ?? []).map((r) => r?.id).filter((id): id is string => typeof id === 'string' && id !== '');
}

/**
 * The common part of a discovered item. `name` and `type` come from the id when Azure left them
 * out; `type` is always the canonical spelling given (Azure spells some types differently per list).
 */
export function armItem(
  raw: ArmResourceLike,
  canonicalType: string,
  properties: Record<string, unknown>,
  state?: string,
): DiscoveredItem {
  const id = raw.id ?? '';
  if (!id) throw new Error('item has no id');
  const parsed = parseResourceId(id);
  if (!parsed) throw new Error(`item id is not an ARM resource id: ${id.slice(0, 200)}`);
  const item: DiscoveredItem = {
    id,
    name: raw.name || parsed.name,
    type: canonicalType,
    location: normalizeLocation(raw.location),
    tags: raw.tags && typeof raw.tags === 'object' ? { ...raw.tags } : {},
    properties: compact(properties),
  };
  const status: ResourceStatus | undefined = state === undefined ? undefined : statusFromState(state);
  if (status) item.status = status;
  return item;
}
