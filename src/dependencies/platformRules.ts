import { referenceEdges, type EdgeRule } from './EdgeRule';
import { str } from './readProperties';

/** SQL databases on their servers; web apps on their plans and integration subnets. */
export const platformRules: EdgeRule = (view, emit) => {
  const ref = referenceEdges(view, emit);
  for (const db of view.ofType('Microsoft.Sql/servers/databases')) {
    // A child's id is its parent's id plus `/databases/<name>`.
    ref(db.id, db.id.split('/').slice(0, -2).join('/'), 'id (child of the server)', 'data');
  }
  for (const site of view.ofType('Microsoft.Web/sites')) {
    ref(site.id, str(site.properties.serverFarmId), 'properties.serverFarmId', 'compute');
    ref(site.id, str(site.properties.virtualNetworkSubnetId), 'properties.virtualNetworkSubnetId', 'network');
  }
};
