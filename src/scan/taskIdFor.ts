import type { Discoverer } from '../discovery/Discoverer';

/** A task's id in its scan: subscription, discoverer, and the type and resource group it narrows to. */
export function taskIdFor(
  subscriptionId: string,
  d: Discoverer,
  resourceGroup?: string,
  resourceType?: string,
): string {
  return [
    subscriptionId,
    d.slug,
    // the generic listing runs one task per type (`/` is not allowed in a table key)
    ...(d.generic && resourceType ? [`type=${resourceType.toLowerCase().replace(/\//g, ':')}`] : []),
    ...(resourceGroup ? [`rg=${resourceGroup.toLowerCase()}`] : []),
  ].join('|');
}
