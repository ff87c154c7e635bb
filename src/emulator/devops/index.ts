export { startDevOpsEmulator } from './startDevOpsEmulator';
export type {
  DevOpsEmulator,
  DevOpsEmulatorMode,
  DevOpsEmulatorOptions,
  DevOpsRequestLogEntry,
} from './startDevOpsEmulator';
export { generateDevOpsEstate, DEMO_APPLICATIONS, DEMO_ENVIRONMENTS } from './devopsEstate';
export type { DevOpsEstate, DevOpsEstateOptions } from './devopsEstate';
