/**
 * Demo emulator: an HTTPS Azure Resource Manager look-alike serving a seeded,
 * generated estate, so the whole pipeline runs with the real Azure SDK clients
 * on a laptop and in tests/benchmarks.
 *
 * SDK clients trust it per client with `tlsOptions: { ca: emulator.caPem }`
 * (plus `endpoint: emulator.endpoint`), or process-wide via
 * `NODE_EXTRA_CA_CERTS=writeCaBundle(emulator.caPem)` set before a child process starts.
 */
export { startArmEmulator } from './server';
export { writeCaBundle } from './caBundle';
export { generateEstate, EmulatedVm, VM_SIZES, VM_RESOURCE_TYPE } from './estate';
export type {
  Estate,
  EstateOptions,
  EmulatedSubscription,
  EmulatedResourceGroup,
  PowerState,
  VmSizeInfo,
  VirtualMachineJson,
  VirtualMachineStatusOnlyJson,
  VirtualMachineInstanceViewJson,
  InstanceViewStatusJson,
} from './estate';
export type {
  ArmEmulator,
  ArmEmulatorOptions,
  EmulatorStats,
  FaultRule,
  RequestLogEntry,
  UnregisteredProvider,
} from './types';
