import {
  odataString,
  prefixFilter,
  resourcePartitionKey,
  resourceTypePartitionPrefix,
} from '../storage/keys';
import type { TaskRow } from './ScanRecords';

/**
 * The `resources` rows a task lists: a (subscription, type) is a PartitionKey prefix; with a
 * resource group filter, one whole PartitionKey (a prefix would also match longer group names).
 */
export function taskScope(task: Pick<TaskRow, 'subscriptionId' | 'resourceType' | 'resourceGroup'>): string {
  return task.resourceGroup
    ? resourcePartitionKey(task.subscriptionId, task.resourceType, task.resourceGroup)
    : resourceTypePartitionPrefix(task.subscriptionId, task.resourceType);
}

export function taskScopeFilter(
  task: Pick<TaskRow, 'subscriptionId' | 'resourceType' | 'resourceGroup'>,
): string {
  const scope = taskScope(task);
  return task.resourceGroup ? `PartitionKey eq ${odataString(scope)}` : prefixFilter('PartitionKey', scope);
}

/** The coverage scopes that apply to a row of `resources`: its (subscription, type) and its own partition. */
export function scopesOfPartition(partitionKey: string): string[] {
  const tilde = partitionKey.indexOf('~');
  return tilde < 0 ? [partitionKey] : [partitionKey.slice(0, tilde + 1), partitionKey];
}
