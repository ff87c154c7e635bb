import type { Edge } from './Edge';
import type { NodeIndex } from './NodeIndex';

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
 * stores of its own resource group. Reads the look-ups only, so it runs once over the estate. Labelled `heuristic` and weak so nobody mistakes them for facts.
 */
export function heuristicRules(nodes: NodeIndex, emit: (edge: Edge) => void): void {
  const byGroup = new Map<string, { consumers: string[]; stores: Array<{ id: string; type: string }> }>();
  for (const r of nodes.all()) {
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
}
