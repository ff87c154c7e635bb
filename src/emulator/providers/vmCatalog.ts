/**
 * The VM images and sizes the demo estate draws from. `vmSizes` answers with the whole size list;
 * each image carries what a VM's storage profile and instance view report about it.
 */
export interface VmSizeInfo {
  name: string;
  numberOfCores: number;
  osDiskSizeInMB: number;
  resourceDiskSizeInMB: number;
  memoryInMB: number;
  maxDataDiskCount: number;
}

export interface ImageDef {
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

export const IMAGES: readonly ImageDef[] = [
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
