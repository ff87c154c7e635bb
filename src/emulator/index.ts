/**
 * Demo emulator: an HTTPS Azure Resource Manager look-alike serving a seeded,
 * generated estate, so the whole pipeline runs with the real Azure SDK clients
 * on a laptop and in tests/benchmarks.
 *
 * SDK clients trust it per client with `tlsOptions: { ca: emulator.caPem }`
 * (plus `endpoint: emulator.endpoint`), or process-wide via
 * `NODE_EXTRA_CA_CERTS=writeCaBundle(emulator.caPem)` set before a child process starts.
 */
export { startArmEmulator } from './startArmEmulator';
export { writeCaBundle } from './caBundle';
export { generateEstate } from './estate';
export { EmulatedVm, VM_RESOURCE_TYPE } from './providers/EmulatedVm';
export { VM_SIZES } from './providers/vmCatalog';
export type { Estate, EstateOptions, EmulatedSubscription, EmulatedResourceGroup } from './estate';
export type {
  PowerState,
  VirtualMachineJson,
  VirtualMachineStatusOnlyJson,
  VirtualMachineInstanceViewJson,
  InstanceViewStatusJson,
} from './providers/EmulatedVm';
export type { VmSizeInfo } from './providers/vmCatalog';
export type {
  ArmEmulator,
  ArmEmulatorOptions,
  EmulatorStats,
  FaultRule,
  RequestLogEntry,
  UnregisteredProvider,
} from './types';
