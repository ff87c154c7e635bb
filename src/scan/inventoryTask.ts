/**
 * The Resource Manager path's inventory task: one per subscription (and resource group filter),
 * paging the subscription's whole generic list once. Its type is not an ARM type, so no
 * discoverer claims it; its items of types without a dedicated discoverer are its rows.
 */
export const INVENTORY_TYPE = '*';

export function isInventoryTask(task: { resourceType: string }): boolean {
  return task.resourceType === INVENTORY_TYPE;
}
