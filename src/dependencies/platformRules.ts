import type { EdgeRule } from './EdgeRule';
import { str } from './ResourceIndex';

/** SQL databases on their servers; web apps on their plans and integration subnets. */
export const platformRules: EdgeRule = (index, emit) => {
  for (const db of index.ofType('Microsoft.Sql/servers/databases')) {
    // A child's id is its parent's id plus `/databases/<name>`.
    const server = index.resolve(db.id.split('/').slice(0, -2).join('/'));
    if (server)
      emit({
        sourceId: db.id,
        targetId: server,
        category: 'data',
        strength: 1,
        method: 'arm-reference',
        evidence: 'id (child of the server)',
      });
  }
  for (const site of index.ofType('Microsoft.Web/sites')) {
    const plan = index.resolve(str(site.properties.serverFarmId));
    if (plan)
      emit({
        sourceId: site.id,
        targetId: plan,
        category: 'compute',
        strength: 1,
        method: 'arm-reference',
        evidence: 'properties.serverFarmId',
      });
    const subnet = index.resolve(str(site.properties.virtualNetworkSubnetId));
    if (subnet)
      emit({
        sourceId: site.id,
        targetId: subnet,
        category: 'network',
        strength: 1,
        method: 'arm-reference',
        evidence: 'properties.virtualNetworkSubnetId',
      });
  }
};
