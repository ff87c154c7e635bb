/**
 * One generated VM of the demo estate (Microsoft.Compute/virtualMachines). Each VM is kept as a
 * compact record; its JSON bodies (full, statusOnly, instance view) are built on demand, so a
 * 10,000-VM estate costs a few MB and pages are serialised only when a client asks for them.
 */
import type { ImageDef } from './vmCatalog';

export type PowerState = 'running' | 'deallocated' | 'stopped';

export const VM_RESOURCE_TYPE = 'Microsoft.Compute/virtualMachines';

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

export interface VmRecord {
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
