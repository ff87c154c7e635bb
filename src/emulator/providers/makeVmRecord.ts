/**
 * Draws one VM of a resource group: its role decides image, size and disks; tags, casing and
 * power state vary the way real estates do. The draw order is part of the estate's identity
 * (same seed, same estate): append new draws at the end, never reorder.
 */
import { LOCATIONS } from '../locations';
import type { Prng } from '../prng';
import type { PowerState, VmRecord } from './EmulatedVm';
import { IMAGES, type ImageDef } from './vmCatalog';

export type Env = 'prod' | 'dev' | 'test' | 'staging' | 'qa';

export type Role = 'web' | 'api' | 'sql' | 'app' | 'batch' | 'cache' | 'jump' | 'dc' | 'etl' | 'worker';

/** What a VM needs to know about the resource group it is placed in. */
export interface VmGroup {
  name: string;
  env: Env;
  app: string;
  roles: readonly Role[];
}

const ENV_TAG_KEYS: readonly string[] = ['environment', 'Environment', 'env', 'ENV', 'Env'];
const ENV_TAG_VALUES: Readonly<Record<Env, readonly string[]>> = {
  prod: ['prod', 'Prod', 'production', 'Production', 'PROD'],
  dev: ['dev', 'Dev', 'development', 'DEV'],
  test: ['test', 'Test', 'TEST'],
  staging: ['staging', 'Staging', 'stg'],
  qa: ['qa', 'QA'],
};
const APP_TAG_KEYS: readonly string[] = ['application', 'Application', 'app', 'App'];
const OWNERS: readonly string[] = [
  'team-web@contoso.com',
  'team-data@contoso.com',
  'platform@contoso.com',
  'sre@contoso.com',
];

const SIZE_BY_ROLE: Readonly<Record<Role, ReadonlyArray<readonly [string, number]>>> = {
  web: [
    ['Standard_B2s', 3],
    ['Standard_D2s_v3', 4],
    ['Standard_D2s_v5', 3],
    ['Standard_F4s_v2', 1],
  ],
  api: [
    ['Standard_D2s_v5', 4],
    ['Standard_D4s_v5', 3],
    ['Standard_D4s_v3', 2],
    ['Standard_F4s_v2', 1],
  ],
  sql: [
    ['Standard_E4s_v3', 3],
    ['Standard_E8s_v5', 3],
    ['Standard_DS3_v2', 2],
  ],
  app: [
    ['Standard_D2s_v3', 3],
    ['Standard_D4s_v3', 3],
    ['Standard_B2ms', 2],
  ],
  batch: [
    ['Standard_F4s_v2', 3],
    ['Standard_D8s_v3', 2],
    ['Standard_D4s_v5', 2],
  ],
  cache: [
    ['Standard_E4s_v3', 2],
    ['Standard_D2s_v5', 2],
  ],
  jump: [
    ['Standard_B1s', 3],
    ['Standard_B2s', 2],
  ],
  dc: [
    ['Standard_B2ms', 2],
    ['Standard_D2s_v3', 2],
  ],
  etl: [
    ['Standard_D8s_v3', 2],
    ['Standard_E8s_v5', 2],
    ['Standard_D4s_v3', 1],
  ],
  worker: [
    ['Standard_D2s_v5', 3],
    ['Standard_B2ms', 2],
    ['Standard_D4s_v5', 2],
  ],
};

const OS_DISK_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['Premium_LRS', 5],
  ['StandardSSD_LRS', 3],
  ['Standard_LRS', 1],
  ['Premium_ZRS', 1],
];
const DATA_DISK_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['Premium_LRS', 3],
  ['StandardSSD_LRS', 2],
  ['Standard_LRS', 1],
];
const DATA_DISK_COUNTS: ReadonlyArray<readonly [number, number]> = [
  [0, 5],
  [1, 3],
  [2, 1],
];
const POWER_STATES: ReadonlyArray<readonly [PowerState, number]> = [
  ['running', 80],
  ['deallocated', 15],
  ['stopped', 5],
];
const LINUX_IMAGES = IMAGES.filter((i) => i.osType === 'Linux');
const WINDOWS_IMAGES = IMAGES.filter(
  (i) => i.osType === 'Windows' && i.publisher === 'MicrosoftWindowsServer',
);
const SQL_IMAGE = IMAGES.find((i) => i.publisher === 'MicrosoftSQLServer') as ImageDef;
const WINDOWS_ADMINS: readonly string[] = ['azureadmin', 'contosoadmin', 'localadmin'];
const LINUX_ADMINS: readonly string[] = ['azureuser', 'ubuntu', 'ops'];
const MANAGED_BY: readonly string[] = ['terraform', 'bicep', 'portal'];
const DATA_DISK_SIZES: readonly number[] = [32, 64, 128, 256, 512, 1024];
const ZONAL_LOCATIONS = new Set(['eastus', 'westeurope', 'northeurope', 'westus2', 'uksouth']);

const DAY_MS = 86_400_000;
const EPOCH_START = Date.UTC(2021, 0, 1);
const EPOCH_SPAN_DAYS = 1600;

export function makeVmRecord(
  rng: Prng,
  subscriptionId: string,
  index: number,
  rg: VmGroup,
  rgLocation: string,
): VmRecord {
  const role = rng.pick(rg.roles);
  const windowsRole = role === 'sql' || role === 'dc';
  let image: ImageDef;
  if (role === 'sql') image = rng.chance(0.7) ? SQL_IMAGE : rng.pick(LINUX_IMAGES);
  else if (windowsRole || rng.chance(0.25)) image = rng.pick(WINDOWS_IMAGES);
  else image = rng.pick(LINUX_IMAGES);
  const windows = image.osType === 'Windows';

  const envShort = rg.env === 'prod' ? 'prd' : rg.env;
  let name = `${role}-${envShort}-${String(index + 1).padStart(4, '0')}`;
  if (windows && rng.chance(0.3))
    name = `${role}${envShort}${String(index + 1).padStart(4, '0')}`.toUpperCase();

  // ARM keeps the casing a resource was created with: a few VMs carry the RG name in another casing
  const casing = rng.next();
  const resourceGroup =
    casing < 0.08 ? rg.name.toLowerCase() : casing < 0.1 ? rg.name.toUpperCase() : rg.name;
  const nicResourceGroup = rng.chance(0.1) ? rg.name.toUpperCase() : resourceGroup;

  const location = rng.chance(0.9) ? rgLocation : rng.pick(LOCATIONS);
  const zone = ZONAL_LOCATIONS.has(location) && rng.chance(0.35) ? String(rng.int(1, 3)) : undefined;

  const tags: Record<string, string> = {};
  if (rng.chance(0.9)) tags[rng.pick(ENV_TAG_KEYS)] = rng.pick(ENV_TAG_VALUES[rg.env]);
  if (rng.chance(0.85)) tags[rng.pick(APP_TAG_KEYS)] = rg.app;
  if (rng.chance(0.6)) tags['owner'] = rng.pick(OWNERS);
  if (rng.chance(0.5)) tags['costCenter'] = `CC-${rng.int(1000, 1019)}`;
  if (rng.chance(0.3)) tags['managedBy'] = rng.pick(MANAGED_BY);

  const dataDiskCount = role === 'sql' || role === 'etl' ? rng.int(1, 3) : rng.weighted(DATA_DISK_COUNTS);
  const dataDiskSizes: number[] = [];
  for (let i = 0; i < dataDiskCount; i++) dataDiskSizes.push(rng.pick(DATA_DISK_SIZES));

  const timeCreatedMs = EPOCH_START + rng.int(0, EPOCH_SPAN_DAYS) * DAY_MS + rng.int(0, DAY_MS - 1);
  const statusTimeMs = timeCreatedMs + rng.int(0, 200) * DAY_MS + rng.int(60_000, 3_600_000);

  return {
    subscriptionId,
    resourceGroup,
    nicResourceGroup,
    name,
    location,
    zone,
    vmSize: rng.weighted(SIZE_BY_ROLE[role]),
    image,
    imageBuild: String(rng.int(1000, 1299)).padStart(4, '0'),
    osDiskType: rng.weighted(OS_DISK_TYPES),
    osDiskSizeGB: rng.chance(0.2) ? image.osDiskGB * 2 + (windows ? 1 : 4) : image.osDiskGB,
    osDiskSuffix: rng.hex(32),
    dataDiskType: rng.weighted(DATA_DISK_TYPES),
    dataDiskSizes,
    nicCount: rng.chance(0.15) ? 2 : 1,
    adminUsername: rng.pick(windows ? WINDOWS_ADMINS : LINUX_ADMINS),
    vmId: rng.guid(),
    timeCreatedMs,
    statusTimeMs,
    powerState: rng.weighted(POWER_STATES),
    tags,
    bootDiagnostics: rng.chance(0.6),
    hybridBenefit: windows && rng.chance(0.4),
    hotpatching: image.sku.includes('azure-edition') && rng.chance(0.5),
    agentVersion: `2.${rng.int(10, 12)}.0.${rng.int(1, 40)}`,
  };
}
