import type { ArmClients } from '../discovery/armClients';
import type { Discoverer } from '../discovery/Discoverer';
import { DEDICATED, canonicalType, findDiscoverer } from '../discovery/registry';
import type { Logger } from '../telemetry/logger';
import { TERMINAL_SCAN } from './ScanRecords';
import type { ScanStore } from './ScanStore';

export interface PlannedTask {
  subscriptionId: string;
  /** canonical spelling for dedicated types; as Resource Graph gives it (lower-case) otherwise */
  resourceType: string;
  discoverer: Discoverer;
}

export interface PlanDeps {
  arm: ArmClients;
  store: ScanStore;
  logger: Logger;
}

/**
 * Which (subscription, type) tasks a scan has. Don't spend calls on types that are not there:
 * ONE Resource Graph query counts the types of every subscription, and only those are listed
 * (dedicated types by their discoverer, every other type by the generic listing, one task each,
 * so nothing is listed twice). Types the last finished scan found are listed too, so a type whose
 * last resource was deleted gets its removals. When Resource Graph cannot answer, every
 * dedicated type is listed (the inventory of other types then waits for the next scan).
 */
export async function planTasks(
  deps: PlanDeps,
  subscriptionIds: string[],
  resourceGroup: string | undefined,
  requestedTypes: string[] | undefined,
): Promise<PlannedTask[]> {
  const [counts, previous] = await Promise.all([
    deps.arm.resourceTypeCounts(subscriptionIds, resourceGroup).catch((e: unknown) => {
      deps.logger.warn('Resource Graph did not answer; listing every dedicated type', {
        reason: e instanceof Error ? e.message : String(e),
      });
      return undefined;
    }),
    typesFoundLastTime(deps.store),
  ]);
  const requested = requestedTypes?.length ? new Set(requestedTypes.map((t) => t.toLowerCase())) : undefined;
  const tasks: PlannedTask[] = [];
  for (const subscriptionId of subscriptionIds) {
    const present = new Set<string>([
      ...(counts
        ? [...(counts.get(subscriptionId) ?? new Map()).keys()]
        : DEDICATED.map((d) => d.type.toLowerCase())),
      ...(previous.get(subscriptionId) ?? []),
    ]);
    const types = requested ? [...requested].filter((t) => !counts || present.has(t)) : [...present];
    const seen = new Set<string>();
    for (const t of types.sort()) {
      const discoverer = findDiscoverer(t);
      const resourceType = canonicalType(t);
      if (!discoverer || seen.has(resourceType.toLowerCase())) continue;
      seen.add(resourceType.toLowerCase());
      tasks.push({ subscriptionId, resourceType, discoverer });
    }
  }
  return tasks;
}

/** (subscription → lower-case types) that the newest finished scan found resources of. */
async function typesFoundLastTime(store: ScanStore): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  const last = (await store.listScans(20)).find((s) => TERMINAL_SCAN.includes(s.status));
  if (!last) return out;
  for (const t of await store.listTasks(last.scanId)) {
    if (!t.items) continue;
    const set = out.get(t.subscriptionId) ?? new Set<string>();
    set.add(t.resourceType.toLowerCase());
    out.set(t.subscriptionId, set);
  }
  return out;
}
