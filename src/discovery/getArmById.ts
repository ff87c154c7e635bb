import { isRestError } from '@azure/core-rest-pipeline';
import { mapEach, type ListingPage } from './Discoverer';
import type { DiscoveredItem } from './Resource';

/**
 * The resource group, the name and the parents' names of an id: `{name: database, parents: [server]}`
 * for `…/providers/Microsoft.Sql/servers/{server}/databases/{database}`; no parents for a top-level type.
 */
export function idNames(id: string): { resourceGroup: string; name: string; parents: string[] } | undefined {
  const parts = id.split('/').filter(Boolean);
  const lower = parts.map((p) => p.toLowerCase());
  const rgIdx = lower.indexOf('resourcegroups');
  const provIdx = lower.lastIndexOf('providers');
  if (rgIdx < 0 || provIdx < rgIdx) return undefined;
  const resourceGroup = parts[rgIdx + 1];
  const rest = parts.slice(provIdx + 2);
  if (!resourceGroup || rest.length < 2 || rest.length % 2 !== 0) return undefined;
  const names = rest.filter((_, i) => i % 2 === 1);
  return { resourceGroup, name: names[names.length - 1] as string, parents: names.slice(0, -1) };
}

/**
 * One resource read by id through its type's SDK `get` (an event's refresh), mapped by the type's
 * own map function, the one its listing uses, so the row is the row a scan stores. `get` receives
 * the resource group, the name and, for a child type, its parents' names (a database's server).
 * An empty page: Azure no longer has it (404). Per-item reads a type's listing adds after
 * mapping are the caller's, run on the returned items as its listPage runs them.
 */
export async function getArmById<T extends { id?: string }>(
  id: string,
  get: (resourceGroup: string, name: string, parents: string[]) => Promise<T | undefined>,
  map: (raw: T) => DiscoveredItem,
): Promise<ListingPage> {
  const parsed = idNames(id);
  if (!parsed) return { items: [] };
  let body: T | undefined;
  try {
    body = await get(parsed.resourceGroup, parsed.name, parsed.parents);
  } catch (e) {
    if (isRestError(e) && e.statusCode === 404) return { items: [] };
    throw e;
  }
  if (!body) return { items: [] };
  const { items, skipped } = mapEach([body], map);
  return { items, ...(skipped.length ? { skipped } : {}) };
}
