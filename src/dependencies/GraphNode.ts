/** What a dependency rule or the graph view knows of a node. */
export interface GraphNode {
  id: string;
  name: string;
  type: string;
  subscriptionId?: string;
  resourceGroup?: string;
  /** A host or resource TopDeck has not discovered (outside the scanned scope, or not Azure). */
  external: boolean;
}

/** The type of the nodes TopDeck derives for subnets (they are not inventory items of their own). */
export const SUBNET_TYPE = 'Microsoft.Network/virtualNetworks/subnets';
