/**
 * The one Resource Graph rows query TopDeck sends: simple and stable for `$skipToken` paging
 * (a filter on type, subscription and resource group, a fixed projection, `order by id asc`), so
 * the demo emulator and any Graph look-alike can answer it.
 */
export const GRAPH_ROW_COLUMNS =
  'id, name, type, location, resourceGroup, subscriptionId, tags, sku, kind, identity, managedBy, zones, properties';

/** A KQL string literal; the values TopDeck puts in one (types, GUIDs, group names) never hold a quote. */
function literal(value: string): string {
  if (/['\\\r\n]/.test(value))
    throw new Error(`not a valid Azure name for a Resource Graph filter: ${value}`);
  return `'${value}'`;
}

export function graphRowsQuery(types: string[], subscriptionIds: string[], resourceGroup?: string): string {
  const typeList = types.map((t) => literal(t.toLowerCase())).join(', ');
  const subList = subscriptionIds.map((s) => literal(s.toLowerCase())).join(', ');
  const rg = resourceGroup ? ` and resourceGroup =~ ${literal(resourceGroup)}` : '';
  return `Resources | where type in~ (${typeList}) and subscriptionId in~ (${subList})${rg} | project ${GRAPH_ROW_COLUMNS} | order by id asc`;
}
