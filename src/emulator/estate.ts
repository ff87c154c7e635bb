/**
 * Deterministic generation of the demo estate served by the ARM emulator.
 *
 * Each VM is kept as a compact record; its JSON bodies (full, statusOnly,
 * instance view) are built on demand, so a 10,000-VM estate costs a few MB and
 * pages are serialised only when a client asks for them.
 */
import { connectSubscription, peerAcrossSubscriptions, type ConnectedSubscription } from './connectedEstate';
import type { EmulatedResource } from './EmulatedResource';
import { mixSeed, Prng } from './prng';

export type PowerState = 'running' | 'deallocated' | 'stopped';

export const VM_RESOURCE_TYPE = 'Microsoft.Compute/virtualMachines';

export interface VmSizeInfo {
  name: string;
  numberOfCores: number;
  osDiskSizeInMB: number;
  resourceDiskSizeInMB: number;
  memoryInMB: number;
  maxDataDiskCount: number;
}

export interface InstanceViewStatusJson {
  code: string;
  level: 'Info' | 'Warning' | 'Error';
  displayStatus: string;
  message?: string;
  time?: string;
}

export interface ImageReferenceJson {
  publisher: string;
  offer: string;
  sku: string;
  version: string;
  exactVersion: string;
}

export interface ManagedDiskRefJson {
  storageAccountType: string;
  id: string;
}

export interface OsDiskJson {
  osType: 'Linux' | 'Windows';
  name: string;
  createOption: 'FromImage';
  caching: 'ReadWrite';
  managedDisk: ManagedDiskRefJson;
  deleteOption: 'Delete' | 'Detach';
  diskSizeGB: number;
}

export interface DataDiskJson {
  lun: number;
  name: string;
  createOption: 'Empty' | 'Attach';
  caching: 'None' | 'ReadOnly';
  writeAcceleratorEnabled: boolean;
  managedDisk: ManagedDiskRefJson;
  deleteOption: 'Delete' | 'Detach';
  diskSizeGB: number;
  toBeDetached: boolean;
}

export interface OsProfileJson {
  computerName: string;
  adminUsername: string;
  linuxConfiguration?: {
    disablePasswordAuthentication: boolean;
    provisionVMAgent: boolean;
    patchSettings: { patchMode: string; assessmentMode: string };
  };
  windowsConfiguration?: {
    provisionVMAgent: boolean;
    enableAutomaticUpdates: boolean;
    patchSettings: { patchMode: string; assessmentMode: string; enableHotpatching: boolean };
  };
  secrets: never[];
  allowExtensionOperations: boolean;
  requireGuestProvisionSignal: boolean;
}

export interface NetworkInterfaceRefJson {
  id: string;
  properties: { primary: boolean; deleteOption: 'Delete' | 'Detach' };
}

export interface VirtualMachineInstanceViewJson {
  computerName?: string;
  osName?: string;
  osVersion?: string;
  vmAgent?: {
    vmAgentVersion: string;
    statuses: InstanceViewStatusJson[];
  };
  disks: Array<{ name: string; statuses: InstanceViewStatusJson[] }>;
  hyperVGeneration: 'V1' | 'V2';
  statuses: InstanceViewStatusJson[];
}

/** A VM as a full listing / GET returns it (never any password). */
export interface VirtualMachineJson {
  name: string;
  id: string;
  type: typeof VM_RESOURCE_TYPE;
  location: string;
  tags: Record<string, string>;
  zones?: string[];
  properties: {
    vmId: string;
    hardwareProfile: { vmSize: string };
    storageProfile: {
      imageReference: ImageReferenceJson;
      osDisk: OsDiskJson;
      dataDisks: DataDiskJson[];
      diskControllerType: 'SCSI';
    };
    osProfile: OsProfileJson;
    networkProfile: { networkInterfaces: NetworkInterfaceRefJson[] };
    securityProfile?: {
      uefiSettings: { secureBootEnabled: boolean; vTpmEnabled: boolean };
      securityType: 'TrustedLaunch';
    };
    diagnosticsProfile: { bootDiagnostics: { enabled: boolean } };
    licenseType?: string;
    provisioningState: 'Succeeded';
    timeCreated: string;
    /** only with `$expand=instanceView` on a GET */
    instanceView?: VirtualMachineInstanceViewJson;
  };
}

/** A VM as a `statusOnly=true` listing returns it: no profiles, no tags. */
export interface VirtualMachineStatusOnlyJson {
  name: string;
  id: string;
  type: typeof VM_RESOURCE_TYPE;
  location: string;
  properties: { instanceView: { statuses: InstanceViewStatusJson[] } };
}

interface ImageDef {
  publisher: string;
  offer: string;
  sku: string;
  osType: 'Linux' | 'Windows';
  osDiskGB: number;
  osName: string;
  osVersion: string;
  exactVersionPrefix: string;
  gen2: boolean;
}

const IMAGES: readonly ImageDef[] = [
  {
    publisher: 'Canonical',
    offer: '0001-com-ubuntu-server-jammy',
    sku: '22_04-lts-gen2',
    osType: 'Linux',
    osDiskGB: 30,
    osName: 'ubuntu',
    osVersion: '22.04',
    exactVersionPrefix: '22.04.2024',
    gen2: true,
  },
  {
    publisher: 'Canonical',
    offer: 'ubuntu-24_04-lts',
    sku: 'server',
    osType: 'Linux',
    osDiskGB: 30,
    osName: 'ubuntu',
    osVersion: '24.04',
    exactVersionPrefix: '24.04.2025',
    gen2: true,
  },
  {
    publisher: 'Canonical',
    offer: '0001-com-ubuntu-server-focal',
    sku: '20_04-lts',
    osType: 'Linux',
    osDiskGB: 30,
    osName: 'ubuntu',
    osVersion: '20.04',
    exactVersionPrefix: '20.04.2023',
    gen2: false,
  },
  {
    publisher: 'RedHat',
    offer: 'RHEL',
    sku: '8-lvm-gen2',
    osType: 'Linux',
    osDiskGB: 64,
    osName: 'redhat',
    osVersion: '8.9',
    exactVersionPrefix: '8.9.2024',
    gen2: true,
  },
  {
    publisher: 'Debian',
    offer: 'debian-12',
    sku: '12-gen2',
    osType: 'Linux',
    osDiskGB: 30,
    osName: 'debian',
    osVersion: '12',
    exactVersionPrefix: '0.2024',
    gen2: true,
  },
  {
    publisher: 'MicrosoftWindowsServer',
    offer: 'WindowsServer',
    sku: '2022-datacenter-azure-edition',
    osType: 'Windows',
    osDiskGB: 127,
    osName: 'Windows Server 2022 Datacenter Azure Edition',
    osVersion: '10.0.20348',
    exactVersionPrefix: '20348.2024',
    gen2: true,
  },
  {
    publisher: 'MicrosoftWindowsServer',
    offer: 'WindowsServer',
    sku: '2019-Datacenter',
    osType: 'Windows',
    osDiskGB: 127,
    osName: 'Windows Server 2019 Datacenter',
    osVersion: '10.0.17763',
    exactVersionPrefix: '17763.2023',
    gen2: false,
  },
  {
    publisher: 'MicrosoftSQLServer',
    offer: 'sql2019-ws2019',
    sku: 'standard',
    osType: 'Windows',
    osDiskGB: 127,
    osName: 'Windows Server 2019 Datacenter',
    osVersion: '10.0.17763',
    exactVersionPrefix: '15.0.2024',
    gen2: false,
  },
];

/** Every size the generator can use; `vmSizes` answers with this whole list. */
export const VM_SIZES: readonly VmSizeInfo[] = [
  {
    name: 'Standard_B1s',
    numberOfCores: 1,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 4096,
    memoryInMB: 1024,
    maxDataDiskCount: 2,
  },
  {
    name: 'Standard_B2s',
    numberOfCores: 2,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 8192,
    memoryInMB: 4096,
    maxDataDiskCount: 4,
  },
  {
    name: 'Standard_B2ms',
    numberOfCores: 2,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 16384,
    memoryInMB: 8192,
    maxDataDiskCount: 4,
  },
  {
    name: 'Standard_D2s_v3',
    numberOfCores: 2,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 16384,
    memoryInMB: 8192,
    maxDataDiskCount: 4,
  },
  {
    name: 'Standard_D4s_v3',
    numberOfCores: 4,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 32768,
    memoryInMB: 16384,
    maxDataDiskCount: 8,
  },
  {
    name: 'Standard_D8s_v3',
    numberOfCores: 8,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 65536,
    memoryInMB: 32768,
    maxDataDiskCount: 16,
  },
  {
    name: 'Standard_D2s_v5',
    numberOfCores: 2,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 0,
    memoryInMB: 8192,
    maxDataDiskCount: 4,
  },
  {
    name: 'Standard_D4s_v5',
    numberOfCores: 4,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 0,
    memoryInMB: 16384,
    maxDataDiskCount: 8,
  },
  {
    name: 'Standard_DS3_v2',
    numberOfCores: 4,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 28672,
    memoryInMB: 14336,
    maxDataDiskCount: 16,
  },
  {
    name: 'Standard_E4s_v3',
    numberOfCores: 4,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 65536,
    memoryInMB: 32768,
    maxDataDiskCount: 8,
  },
  {
    name: 'Standard_E8s_v5',
    numberOfCores: 8,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 0,
    memoryInMB: 65536,
    maxDataDiskCount: 16,
  },
  {
    name: 'Standard_F4s_v2',
    numberOfCores: 4,
    osDiskSizeInMB: 1047552,
    resourceDiskSizeInMB: 32768,
    memoryInMB: 8192,
    maxDataDiskCount: 8,
  },
];

const LOCATIONS: readonly string[] = ['eastus', 'westeurope', 'northeurope', 'westus2', 'uksouth'];

type Env = 'prod' | 'dev' | 'test' | 'staging' | 'qa';

interface RgTemplate {
  name: string;
  env: Env;
  app: string;
  roles: readonly Role[];
}

type Role = 'web' | 'api' | 'sql' | 'app' | 'batch' | 'cache' | 'jump' | 'dc' | 'etl' | 'worker';

const RG_TEMPLATES: readonly RgTemplate[] = [
  { name: 'RG-Prod-Web', env: 'prod', app: 'web-store', roles: ['web', 'web', 'api', 'cache'] },
  { name: 'rg-prod-data', env: 'prod', app: 'payments', roles: ['sql', 'etl', 'worker'] },
  { name: 'rg-prod-api', env: 'prod', app: 'orders-api', roles: ['api', 'api', 'worker', 'cache'] },
  { name: 'RG-Dev-Apps', env: 'dev', app: 'crm', roles: ['app', 'web', 'sql'] },
  { name: 'rg-test-shared', env: 'test', app: 'shared-services', roles: ['jump', 'dc', 'app'] },
  { name: 'rg-staging-api', env: 'staging', app: 'orders-api', roles: ['api', 'worker'] },
  { name: 'Networking-RG', env: 'prod', app: 'network', roles: ['jump', 'dc'] },
  { name: 'rg-analytics-PROD', env: 'prod', app: 'analytics', roles: ['etl', 'batch', 'sql'] },
  { name: 'rg-qa-batch', env: 'qa', app: 'batch-jobs', roles: ['batch', 'worker'] },
  { name: 'RG-SAP-Prod', env: 'prod', app: 'sap', roles: ['app', 'sql'] },
];

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

export interface EmulatedResourceGroup {
  /** name as created (ARM keeps this casing) */
  name: string;
  location: string;
  id: string;
}

export interface EmulatedSubscription {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  quotaId: string;
  resourceGroups: EmulatedResourceGroup[];
  /** sorted by lower-cased id: the order every listing pages in */
  vms: EmulatedVm[];
  /** every other resource (connected estates), sorted by lower-cased id */
  resources: EmulatedResource[];
}

export interface Estate {
  seed: number;
  tenantId: string;
  subscriptions: EmulatedSubscription[];
  /** every size known to the emulator (a superset of those the VMs use) */
  vmSizes: readonly VmSizeInfo[];
  locations: readonly string[];
  totalVms: number;
  /** VMs plus every other resource: what a complete scan finds */
  totalResources: number;
  /** every fake secret in an app setting or connection string (tests prove none leaks) */
  secrets: string[];
  /** providers the estate leaves unregistered (one subscription of a connected estate) */
  unregisteredProviders: Array<{ subscriptionId: string; namespace: string }>;
}

interface VmRecord {
  subscriptionId: string;
  resourceGroup: string;
  nicResourceGroup: string;
  name: string;
  location: string;
  zone: string | undefined;
  vmSize: string;
  image: ImageDef;
  imageBuild: string;
  osDiskType: string;
  osDiskSizeGB: number;
  osDiskSuffix: string;
  dataDiskType: string;
  dataDiskSizes: number[];
  nicCount: number;
  adminUsername: string;
  vmId: string;
  timeCreatedMs: number;
  statusTimeMs: number;
  powerState: PowerState;
  tags: Record<string, string>;
  bootDiagnostics: boolean;
  hybridBenefit: boolean;
  hotpatching: boolean;
  agentVersion: string;
}

function isoTime(ms: number): string {
  // ARM writes 7 fractional digits and an explicit offset
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, 23)}0000+00:00`;
}

const POWER_DISPLAY: Readonly<Record<PowerState, string>> = {
  running: 'VM running',
  deallocated: 'VM deallocated',
  stopped: 'VM stopped',
};

/**
 * One generated VM. `body`, `statusOnlyBody` and `instanceView` build a fresh
 * JSON object on each access (callers may mutate what they get).
 */
export class EmulatedVm {
  readonly id: string;
  readonly name: string;
  /** resource group name with the casing used in this VM's id */
  readonly resourceGroup: string;
  readonly subscriptionId: string;
  readonly location: string;
  readonly vmSize: string;
  readonly powerState: PowerState;
  readonly osType: 'Linux' | 'Windows';
  private readonly r: VmRecord;

  constructor(record: VmRecord) {
    this.r = record;
    this.name = record.name;
    this.resourceGroup = record.resourceGroup;
    this.subscriptionId = record.subscriptionId;
    this.location = record.location;
    this.vmSize = record.vmSize;
    this.powerState = record.powerState;
    this.osType = record.image.osType;
    this.id = `/subscriptions/${record.subscriptionId}/resourceGroups/${record.resourceGroup}/providers/${VM_RESOURCE_TYPE}/${record.name}`;
  }

  /** A change the demo makes to itself (src/emulator/estateChanges.ts): a new size, new tags. */
  update(change: { vmSize?: string; tags?: Record<string, string> }): void {
    if (change.vmSize) (this as { vmSize: string }).vmSize = this.r.vmSize = change.vmSize;
    if (change.tags) this.r.tags = { ...change.tags };
  }

  /** ids of the VM's NICs, as its network profile references them */
  get nicIds(): string[] {
    const r = this.r;
    const prefix = `/subscriptions/${r.subscriptionId}/resourceGroups/${r.nicResourceGroup}/providers/Microsoft.Network/networkInterfaces/`;
    return Array.from(
      { length: r.nicCount },
      (_, i) => `${prefix}${r.name}-nic${i === 0 ? '' : String(i + 1)}`,
    );
  }

  /** resource group casing of the VM's NICs */
  get nicResourceGroup(): string {
    return this.r.nicResourceGroup;
  }

  /** the managed disks the VM's storage profile references (OS disk first) */
  get disks(): Array<{ id: string; name: string; sizeGB: number; skuName: string; os: boolean }> {
    const r = this.r;
    const rgPrefix = `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}/providers/Microsoft.Compute/disks/`;
    const osDiskName = `${r.name}_OsDisk_1_${r.osDiskSuffix}`;
    return [
      {
        id: rgPrefix + osDiskName,
        name: osDiskName,
        sizeGB: r.osDiskSizeGB,
        skuName: r.osDiskType,
        os: true,
      },
      ...r.dataDiskSizes.map((size, lun) => ({
        id: `${rgPrefix}${r.name}_DataDisk_${lun}`,
        name: `${r.name}_DataDisk_${lun}`,
        sizeGB: size,
        skuName: r.dataDiskType,
        os: false,
      })),
    ];
  }

  /** tags as the full listing shows them (a copy) */
  get tags(): Record<string, string> {
    return { ...this.r.tags };
  }

  get zones(): string[] | undefined {
    return this.r.zone === undefined ? undefined : [this.r.zone];
  }

  /** the two statuses every instance view carries: provisioning, then power */
  statuses(): InstanceViewStatusJson[] {
    return [
      {
        code: 'ProvisioningState/succeeded',
        level: 'Info',
        displayStatus: 'Provisioning succeeded',
        time: isoTime(this.r.statusTimeMs),
      },
      { code: `PowerState/${this.powerState}`, level: 'Info', displayStatus: POWER_DISPLAY[this.powerState] },
    ];
  }

  get body(): VirtualMachineJson {
    const r = this.r;
    const rgPrefix = `/subscriptions/${r.subscriptionId}/resourceGroups/${r.resourceGroup}`;
    const nicPrefix = `/subscriptions/${r.subscriptionId}/resourceGroups/${r.nicResourceGroup}/providers/Microsoft.Network/networkInterfaces/`;
    const osDiskName = `${r.name}_OsDisk_1_${r.osDiskSuffix}`;
    const windows = r.image.osType === 'Windows';
    const body: VirtualMachineJson = {
      name: r.name,
      id: this.id,
      type: VM_RESOURCE_TYPE,
      location: r.location,
      tags: { ...r.tags },
      properties: {
        vmId: r.vmId,
        hardwareProfile: { vmSize: r.vmSize },
        storageProfile: {
          imageReference: {
            publisher: r.image.publisher,
            offer: r.image.offer,
            sku: r.image.sku,
            version: 'latest',
            exactVersion: `${r.image.exactVersionPrefix}${r.imageBuild}`,
          },
          osDisk: {
            osType: r.image.osType,
            name: osDiskName,
            createOption: 'FromImage',
            caching: 'ReadWrite',
            managedDisk: {
              storageAccountType: r.osDiskType,
              id: `${rgPrefix}/providers/Microsoft.Compute/disks/${osDiskName}`,
            },
            deleteOption: 'Delete',
            diskSizeGB: r.osDiskSizeGB,
          },
          dataDisks: r.dataDiskSizes.map((size, lun) => ({
            lun,
            name: `${r.name}_DataDisk_${lun}`,
            createOption: lun === 0 ? 'Empty' : 'Attach',
            caching: lun === 0 ? 'ReadOnly' : 'None',
            writeAcceleratorEnabled: false,
            managedDisk: {
              storageAccountType: r.dataDiskType,
              id: `${rgPrefix}/providers/Microsoft.Compute/disks/${r.name}_DataDisk_${lun}`,
            },
            deleteOption: 'Detach',
            diskSizeGB: size,
            toBeDetached: false,
          })),
          diskControllerType: 'SCSI',
        },
        osProfile: {
          computerName: windows ? r.name.slice(0, 15) : r.name,
          adminUsername: r.adminUsername,
          ...(windows
            ? {
                windowsConfiguration: {
                  provisionVMAgent: true,
                  enableAutomaticUpdates: true,
                  patchSettings: {
                    patchMode: r.hotpatching ? 'AutomaticByPlatform' : 'AutomaticByOS',
                    assessmentMode: 'ImageDefault',
                    enableHotpatching: r.hotpatching,
                  },
                },
              }
            : {
                linuxConfiguration: {
                  disablePasswordAuthentication: true,
                  provisionVMAgent: true,
                  patchSettings: { patchMode: 'ImageDefault', assessmentMode: 'ImageDefault' },
                },
              }),
          secrets: [],
          allowExtensionOperations: true,
          requireGuestProvisionSignal: true,
        },
        networkProfile: {
          networkInterfaces: Array.from({ length: r.nicCount }, (_, i) => ({
            id: `${nicPrefix}${r.name}-nic${i === 0 ? '' : String(i + 1)}`,
            properties: { primary: i === 0, deleteOption: 'Detach' as const },
          })),
        },
        diagnosticsProfile: { bootDiagnostics: { enabled: r.bootDiagnostics } },
        provisioningState: 'Succeeded',
        timeCreated: isoTime(r.timeCreatedMs),
      },
    };
    if (r.zone !== undefined) body.zones = [r.zone];
    if (r.image.gen2) {
      body.properties.securityProfile = {
        uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
        securityType: 'TrustedLaunch',
      };
    }
    if (r.hybridBenefit) body.properties.licenseType = 'Windows_Server';
    return body;
  }

  get statusOnlyBody(): VirtualMachineStatusOnlyJson {
    return {
      name: this.name,
      id: this.id,
      type: VM_RESOURCE_TYPE,
      location: this.location,
      properties: { instanceView: { statuses: this.statuses() } },
    };
  }

  get instanceView(): VirtualMachineInstanceViewJson {
    const r = this.r;
    const diskStatus = (): InstanceViewStatusJson[] => [
      {
        code: 'ProvisioningState/succeeded',
        level: 'Info',
        displayStatus: 'Provisioning succeeded',
        time: isoTime(r.statusTimeMs),
      },
    ];
    const view: VirtualMachineInstanceViewJson = {
      disks: [
        { name: `${r.name}_OsDisk_1_${r.osDiskSuffix}`, statuses: diskStatus() },
        ...r.dataDiskSizes.map((_, lun) => ({ name: `${r.name}_DataDisk_${lun}`, statuses: diskStatus() })),
      ],
      hyperVGeneration: r.image.gen2 ? 'V2' : 'V1',
      statuses: this.statuses(),
    };
    if (this.powerState === 'running') {
      return {
        computerName: r.image.osType === 'Windows' ? r.name.slice(0, 15) : r.name,
        osName: r.image.osName,
        osVersion: r.image.osVersion,
        vmAgent: {
          vmAgentVersion: r.agentVersion,
          statuses: [
            {
              code: 'ProvisioningState/succeeded',
              level: 'Info',
              displayStatus: 'Ready',
              message: 'GuestAgent is running and processing the extensions.',
              time: isoTime(r.statusTimeMs),
            },
          ],
        },
        ...view,
      };
    }
    return view;
  }
}

export interface EstateOptions {
  seed?: number;
  subscriptionCount?: number;
  subscriptionIds?: string[];
  vmsPerSubscription?: number;
  /**
   * Default true: build the applications around the VMs (networks, NICs, disks, data services,
   * App Service, AKS, ...). False: VMs only.
   */
  connected?: boolean;
}

/** The demo estate's defaults: about 2,000 resources over 3 subscriptions. */
export const DEFAULT_SUBSCRIPTIONS = 3;
export const DEFAULT_VMS_PER_SUBSCRIPTION = 125;

/** VMs per subscription for about `total` resources over `subscriptions` (connected estate). */
export function vmsForTotal(total: number, subscriptions: number): number {
  // each VM brings ~1.15 NICs and ~1.6 disks; each resource group ~35 other resources
  const perSubscription = total / subscriptions;
  let vms = (perSubscription - 230) / 3.75;
  // a large estate has more groups (resourceGroupsFor), each with its others
  const extraGroups = Math.max(0, resourceGroupsFor(vms) - 7);
  if (extraGroups) vms = (perSubscription - 230 - 35 * extraGroups) / 3.75;
  return Math.max(1, Math.round(vms));
}

const SUBSCRIPTION_NAMES: readonly string[] = [
  'Contoso Production',
  'Contoso Development',
  'Contoso Shared Services',
  'Contoso Data Platform',
  'Contoso Sandbox',
];

function shuffled<T>(rng: Prng, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

function makeVmRecord(
  rng: Prng,
  subscriptionId: string,
  index: number,
  rg: RgTemplate,
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

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Azure allows 800 resources of one type in a resource group (most types; "Azure subscription
 * and service limits"). A large estate spreads its VMs, and their disks, over as many groups as
 * that takes: 1.6 disks a VM on average, but a data group's VMs carry more (3.5 allowed for);
 * the default estate keeps its 5 to 8 groups.
 */
const MAX_OF_A_TYPE_PER_GROUP = 800;

function resourceGroupsFor(vmsPerSubscription: number): number {
  return Math.ceil((vmsPerSubscription * 3.5) / MAX_OF_A_TYPE_PER_GROUP);
}

/** `count` groups: the templates, then numbered copies of them (`<name>-02`, ...). */
function withCopies(templates: RgTemplate[], count: number): RgTemplate[] {
  return Array.from({ length: count }, (_, i) => {
    const t = templates[i % templates.length] as RgTemplate;
    const copy = Math.floor(i / templates.length);
    return copy ? { ...t, name: `${t.name}-${String(copy + 1).padStart(2, '0')}` } : t;
  });
}

/** Builds the estate; the same options always give the same estate. */
export function generateEstate(options: EstateOptions = {}): Estate {
  const seed = (options.seed ?? 42) >>> 0;
  const vmsPerSubscription = Math.max(
    0,
    Math.floor(options.vmsPerSubscription ?? DEFAULT_VMS_PER_SUBSCRIPTION),
  );
  const ids = options.subscriptionIds;
  const subscriptionCount = ids
    ? ids.length
    : Math.max(0, Math.floor(options.subscriptionCount ?? DEFAULT_SUBSCRIPTIONS));
  const connected = options.connected ?? true;
  const connections: ConnectedSubscription[] = [];
  const secrets: string[] = [];
  const unregisteredProviders: Estate['unregisteredProviders'] = [];
  let totalResources = 0;

  const top = new Prng(mixSeed(seed, 0x7e5a47));
  const tenantId = top.guid();
  const subscriptions: EmulatedSubscription[] = [];
  let totalVms = 0;

  for (let s = 0; s < subscriptionCount; s++) {
    const rng = new Prng(mixSeed(seed, 0x5ab, s));
    const generatedId = rng.guid();
    const subscriptionId = ids?.[s] ?? generatedId;
    const displayName = SUBSCRIPTION_NAMES[s] ?? `Contoso Subscription ${s + 1}`;
    const rgCount = Math.max(rng.int(5, 8), resourceGroupsFor(vmsPerSubscription));
    const templates = withCopies(shuffled(rng, RG_TEMPLATES), rgCount);
    const rgLocations = templates.map(() => rng.pick(LOCATIONS));
    const resourceGroups: EmulatedResourceGroup[] = templates.map((t, i) => ({
      name: t.name,
      location: rgLocations[i] as string,
      id: `/subscriptions/${subscriptionId}/resourceGroups/${t.name}`,
    }));

    const records: Array<{ key: string; vm: EmulatedVm }> = [];
    for (let v = 0; v < vmsPerSubscription; v++) {
      const rgIndex = rng.int(0, templates.length - 1);
      const vm = new EmulatedVm(
        makeVmRecord(
          rng,
          subscriptionId,
          v,
          templates[rgIndex] as RgTemplate,
          rgLocations[rgIndex] as string,
        ),
      );
      records.push({ key: vm.id.toLowerCase(), vm });
    }
    records.sort((a, b) => compareIds(a.key, b.key));
    totalVms += records.length;
    // AKS's provider is left unregistered in the third subscription: nothing of it exists there.
    const aksUnregistered = connected && s === 2;
    if (aksUnregistered)
      unregisteredProviders.push({ subscriptionId, namespace: 'Microsoft.ContainerService' });
    const connection = connected
      ? connectSubscription(
          new Prng(mixSeed(seed, 0xc0ecd, s)),
          subscriptionId,
          tenantId,
          s,
          resourceGroups,
          records.map((r) => r.vm),
          { aks: !aksUnregistered },
        )
      : { resources: [], secrets: [] };
    connections.push(connection);
    secrets.push(...connection.secrets);
    const resources = connection.resources
      .map((r) => ({ key: r.id.toLowerCase(), r }))
      .sort((a, b) => compareIds(a.key, b.key))
      .map((x) => x.r);
    totalResources += records.length + resources.length;
    subscriptions.push({
      resources,
      subscriptionId,
      displayName,
      tenantId,
      quotaId: rng.pick(['EnterpriseAgreement_2014-09-01', 'PayAsYouGo_2014-09-01', 'MSDN_2014-09-01']),
      resourceGroups,
      vms: records.map((r) => r.vm),
    });
  }

  peerAcrossSubscriptions(connections);
  return {
    seed,
    tenantId,
    subscriptions,
    vmSizes: VM_SIZES,
    locations: LOCATIONS,
    totalVms,
    totalResources,
    secrets,
    unregisteredProviders,
  };
}
