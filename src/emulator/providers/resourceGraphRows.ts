/**
 * The Resource Graph rows query TopDeck sends, and the emulator's answer to it from the generated
 * estate. The parser is narrow on purpose: it accepts exactly the shape
 * `Resources | where type in~ (...) and subscriptionId in~ (...) [and resourceGroup =~ '...']
 * | project <ROW_COLUMNS> | order by id asc` and nothing else, so a query the project does not send
 * gets a 400 rather than a guessed answer.
 */
import type { ProviderRouteContext } from '../EmulatorProvider';
import type { SubscriptionResources } from '../SubscriptionResources';

/** The columns TopDeck projects; a row carries each (null or '' when the resource has none, as Graph). */
export const ROW_COLUMNS = [
  'id',
  'name',
  'type',
  'location',
  'resourceGroup',
  'subscriptionId',
  'tags',
  'sku',
  'kind',
  'identity',
  'managedBy',
  'zones',
  'properties',
] as const;

export interface RowsQuery {
  /** lower-case ARM types */
  types: string[];
  /** lower-case subscription ids */
  subscriptionIds: string[];
  /** lower-case resource group, when filtered */
  resourceGroup?: string;
}

const LIST = String.raw`\(\s*('[^']*'(?:\s*,\s*'[^']*')*)\s*\)`;
const ROWS_QUERY = new RegExp(
  String.raw`^\s*Resources\s*\|\s*where\s+type\s+in~\s*${LIST}\s+and\s+subscriptionId\s+in~\s*${LIST}` +
    String.raw`(?:\s+and\s+resourceGroup\s+=~\s*'([^']*)')?` +
    String.raw`\s*\|\s*project\s+([\w\s,]+?)\s*\|\s*order\s+by\s+id\s+asc\s*$`,
  'i',
);

function quotedList(list: string): string[] {
  return [...list.matchAll(/'([^']*)'/g)].map((m) => (m[1] ?? '').toLowerCase());
}

/** The query's filters, or undefined when it is not exactly the shape TopDeck sends. */
export function parseRowsQuery(query: string): RowsQuery | undefined {
  const m = ROWS_QUERY.exec(query);
  if (!m) return undefined;
  const columns = (m[4] ?? '').split(',').map((c) => c.trim());
  if (columns.join(',') !== ROW_COLUMNS.join(',')) return undefined;
  return {
    types: quotedList(m[1] ?? ''),
    subscriptionIds: quotedList(m[2] ?? ''),
    ...(m[3] !== undefined ? { resourceGroup: m[3].toLowerCase() } : {}),
  };
}

interface Entry {
  key: string;
  index: SubscriptionResources;
  type: string;
  rg: string;
}

/** The matching resources in `order by id asc` (case-insensitive, as the generic list's index). */
export function matchingEntries(ctx: ProviderRouteContext, q: RowsQuery): Entry[] {
  const types = new Set(q.types);
  const subs = new Set(q.subscriptionIds);
  const out: Entry[] = [];
  for (const index of ctx.subscriptions()) {
    if (!subs.has(index.sub.subscriptionId.toLowerCase())) continue;
    for (const e of index.all()) {
      if (!types.has(e.type) || (q.resourceGroup !== undefined && e.rg !== q.resourceGroup)) continue;
      out.push({ key: e.key, index, type: e.type, rg: e.rg });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

const VM_TYPE = 'microsoft.compute/virtualmachines';

/** One Resources row as Graph gives it: ARM JSON with lower-case type and canonical location. */
export function graphRow(entry: Entry): Record<string, unknown> {
  const sub = entry.index.sub.subscriptionId;
  if (entry.type === VM_TYPE) {
    const vm = entry.index.vm(entry.rg, entry.key.split('/').pop() ?? '');
    if (!vm) throw new Error(`emulator index out of step: no VM ${entry.key}`);
    const body = vm.body as unknown as Record<string, unknown>;
    const power = vm.statuses().find((s) => s.code?.startsWith('PowerState/'));
    return row(body, {
      name: vm.name,
      location: vm.location,
      resourceGroup: vm.resourceGroup,
      subscriptionId: sub,
      tags: vm.tags,
      // Graph's one addition to a VM's properties: its power state (no other instance view part)
      properties: {
        ...((body.properties as Record<string, unknown> | undefined) ?? {}),
        extended: { instanceView: { powerState: power ?? null } },
      },
    });
  }
  const r = entry.index.get(entry.key);
  if (!r) throw new Error(`emulator index out of step: no resource ${entry.key}`);
  const body = r.body();
  return row(body, {
    name: r.genericName,
    location: r.location,
    resourceGroup: r.resourceGroup,
    subscriptionId: sub,
    tags: r.tags,
    managedBy: r.managedBy ?? '',
    properties: (body.properties as Record<string, unknown> | undefined) ?? {},
  });
}

function row(body: Record<string, unknown>, fixed: Record<string, unknown>): Record<string, unknown> {
  return {
    id: body.id,
    type: String(body.type ?? '').toLowerCase(),
    sku: body.sku ?? null,
    kind: body.kind ?? '',
    identity: body.identity ?? null,
    managedBy: body.managedBy ?? '',
    zones: body.zones ?? null,
    ...fixed,
  };
}
