import type { Discoverer } from './Discoverer';
import { applicationGateways } from './types/applicationGateways';
import { configurationStores } from './types/configurationStores';
import { cosmosDbAccounts } from './types/cosmosDbAccounts';
import { disks } from './types/disks';
import { genericResources } from './types/genericResources';
import { keyVaults } from './types/keyVaults';
import { loadBalancers } from './types/loadBalancers';
import { managedClusters } from './types/managedClusters';
import { networkInterfaces } from './types/networkInterfaces';
import { networkSecurityGroups } from './types/networkSecurityGroups';
import { privateEndpoints } from './types/privateEndpoints';
import { publicIPAddresses } from './types/publicIPAddresses';
import { redisCaches } from './types/redisCaches';
import { routeTables } from './types/routeTables';
import { serverFarms } from './types/serverFarms';
import { serviceBusNamespaces } from './types/serviceBusNamespaces';
import { sites } from './types/sites';
import { sqlDatabases } from './types/sqlDatabases';
import { sqlServers } from './types/sqlServers';
import { storageAccounts } from './types/storageAccounts';
import { virtualMachineScaleSets } from './types/virtualMachineScaleSets';
import { virtualNetworks } from './types/virtualNetworks';
import { virtualMachines } from './virtualMachines';

/**
 * Every resource type TopDeck discovers. Adding a type is one discoverer file and one line
 * here: its queue (`discover-<slug>`), its queue function and its poison handler follow.
 * The generic listing (last) serves every other type.
 */
export const DISCOVERERS: readonly Discoverer[] = [
  virtualMachines,
  virtualMachineScaleSets,
  disks,
  virtualNetworks,
  networkInterfaces,
  loadBalancers,
  networkSecurityGroups,
  publicIPAddresses,
  privateEndpoints,
  routeTables,
  applicationGateways,
  storageAccounts,
  keyVaults,
  configurationStores,
  sites,
  serverFarms,
  managedClusters,
  sqlServers,
  sqlDatabases,
  redisCaches,
  cosmosDbAccounts,
  serviceBusNamespaces,
  genericResources,
];

/** The discoverers that own one type each (everything but the generic listing). */
export const DEDICATED: readonly Discoverer[] = DISCOVERERS.filter((d) => !d.generic);

const GENERIC = DISCOVERERS.find((d) => d.generic) as Discoverer;

/** The dedicated discoverer of a type (any casing), if there is one. */
export function findDedicated(type: string): Discoverer | undefined {
  const t = type.toLowerCase();
  return DEDICATED.find((d) => d.type.toLowerCase() === t);
}

/** Well-formed ARM type: `Namespace/type[/childType...]`. */
export const ARM_TYPE = /^[A-Za-z][\w.-]*\/[A-Za-z][\w-]*(\/[A-Za-z][\w-]*)*$/;

/** Who lists a type: its dedicated discoverer, else the generic listing for any well-formed type. */
export function findDiscoverer(type: string): Discoverer | undefined {
  return findDedicated(type) ?? (ARM_TYPE.test(type) ? GENERIC : undefined);
}

/** The canonical spelling a scan stores for a type: the dedicated discoverer's, else as given. */
export function canonicalType(type: string): string {
  return findDedicated(type)?.type ?? type;
}

export function discoverQueueName(d: Discoverer): string {
  return `discover-${d.slug}`;
}

export const FINALIZE_QUEUE = 'finalize-scan';
export const POISON_SUFFIX = '-poison';
