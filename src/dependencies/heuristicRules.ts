import type { EdgeRule } from './EdgeRule';

const CONSUMERS = [
  'microsoft.web/sites',
  'microsoft.compute/virtualmachines',
  'microsoft.containerservice/managedclusters',
];
const STORES = [
  'microsoft.sql/servers',
  'microsoft.storage/storageaccounts',
  'microsoft.cache/redis',
  'microsoft.documentdb/databaseaccounts',
  'microsoft.servicebus/namespaces',
  'microsoft.keyvault/vaults',
];

/**
 * Guesses, off by default (TOPDECK_HEURISTIC_EDGES): a compute resource probably uses the data
 * stores of its own resource group. Labelled `heuristic` and weak so nobody mistakes them for facts.
 */
export const heuristicRules: EdgeRule = (index, emit) => {
  const byGroup = new Map<string, { consumers: string[]; stores: Array<{ id: string; type: string }> }>();
  for (const r of index.resources()) {
    const t = r.type.toLowerCase();
    const key = `${r.subscriptionId}|${r.resourceGroup}`.toLowerCase();
    const g = byGroup.get(key) ?? { consumers: [], stores: [] };
    if (CONSUMERS.includes(t)) g.consumers.push(r.id);
    else if (STORES.includes(t)) g.stores.push({ id: r.id, type: t });
    byGroup.set(key, g);
  }
  for (const g of byGroup.values())
    for (const c of g.consumers)
      for (const s of g.stores)
        emit({
          sourceId: c,
          targetId: s.id,
          category: s.type === 'microsoft.keyvault/vaults' ? 'configuration' : 'data',
          strength: 0.3,
          method: 'heuristic',
          evidence: 'same resource group',
        });
};
