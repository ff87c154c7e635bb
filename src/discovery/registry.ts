import type { Discoverer } from './Discoverer';
import { virtualMachines } from './virtualMachines';

/**
 * Every resource type TopDeck discovers. Adding a type is one discoverer file and one line
 * here: its queue (`discover-<slug>`), its queue function and its poison handler follow.
 */
export const DISCOVERERS: readonly Discoverer[] = [virtualMachines];

export function findDiscoverer(type: string): Discoverer | undefined {
  return DISCOVERERS.find((d) => d.type.toLowerCase() === type.toLowerCase());
}

export function discoverQueueName(d: Discoverer): string {
  return `discover-${d.slug}`;
}

export const FINALIZE_QUEUE = 'finalize-scan';
export const POISON_SUFFIX = '-poison';
