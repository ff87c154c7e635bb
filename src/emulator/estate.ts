/**
 * Deterministic generation of the demo estate served by the ARM emulator: subscriptions and
 * their resource groups, the VMs in them (providers/makeVmRecord.ts), the applications around
 * the VMs (connectedEstate.ts), then what each registered provider adds (providers/emulatorProviders.ts).
 */
import { connectSubscription, peerAcrossSubscriptions, type ConnectedSubscription } from './connectedEstate';
import type { EmulatedResource } from './EmulatedResource';
import { LOCATIONS } from './locations';
import { mixSeed, Prng } from './prng';
import type { ProviderGenerationInput } from './EmulatorProvider';
import { EMULATOR_PROVIDERS } from './providers/emulatorProviders';
import { EmulatedVm } from './providers/EmulatedVm';
import { makeVmRecord, type VmGroup } from './providers/makeVmRecord';
import { VM_SIZES, type VmSizeInfo } from './providers/vmCatalog';

type RgTemplate = VmGroup;

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

/**
 * What the registered providers generate beyond the connected applications, each from a Prng of
 * its own (so adding a provider leaves the rest of a seed's estate as it was). A provider left
 * unregistered in a subscription generates nothing there.
 */
function addedByProviders(input: ProviderGenerationInput & { unregistered: string[] }): EmulatedResource[] {
  const out: EmulatedResource[] = [];
  for (const provider of EMULATOR_PROVIDERS) {
    if (!provider.generate) continue;
    if (input.unregistered.some((ns) => ns.toLowerCase() === provider.namespace.toLowerCase())) continue;
    out.push(...provider.generate(input));
  }
  return out;
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
    const added = connected
      ? addedByProviders({
          seed,
          subscriptionIndex: s,
          subscriptionId,
          tenantId,
          resourceGroups,
          vms: records.map((r) => r.vm),
          resources: connection.resources,
          unregistered: unregisteredProviders
            .filter((u) => u.subscriptionId === subscriptionId)
            .map((u) => u.namespace),
        })
      : [];
    const resources = [...connection.resources, ...added]
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
