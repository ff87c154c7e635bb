import type { ArmClients } from '../discovery/armClients';
import type { Discoverer } from '../discovery/Discoverer';
import { canonicalType, findDedicated, findDiscoverer } from '../discovery/registry';
import { genericResources } from '../discovery/types/genericResources';
import { classifyError } from '../errors/classifyError';
import { TopDeckError } from '../errors/TopDeckError';
import type { Logger } from '../telemetry/logger';
import { redactText } from '../telemetry/redact';
import { INVENTORY_TYPE } from './inventoryTask';
import { TERMINAL_SCAN } from './ScanRecords';
import type { ScanStore } from './ScanStore';

export interface PlannedTask {
  subscriptionId: string;
  /** canonical spelling for dedicated types; as Resource Graph gives it (lower-case) otherwise */
  resourceType: string;
  discoverer: Discoverer;
}

/** TOPDECK_INVENTORY_SOURCE: who says what exists. */
export type InventorySourceSetting = 'auto' | 'resourcegraph' | 'arm';

/** The source a scan used, and why (recorded on the scan). */
export interface InventoryChoice {
  source: 'resourcegraph' | 'arm';
  reason: string;
}

export interface ScanPlan {
  tasks: PlannedTask[];
  inventory: InventoryChoice;
  /** The Resource Graph path: rows by (subscription, lower-case type), as Graph counted them. */
  counts?: Map<string, Map<string, number>>;
}

export interface PlanDeps {
  arm: ArmClients;
  store: ScanStore;
  logger: Logger;
}

/**
 * Which tasks a scan has, decided per scan. Resource Graph (when the setting allows and it
 * answers): ONE query counts the types of every subscription, and only those are listed
 * (dedicated types by their discoverer, every other type by the generic listing, one task each).
 * Resource Manager (Graph off or not answering): per subscription, one inventory task reads the
 * whole generic list once; the dedicated types it names get their tasks as its pages find them.
 * Either way, types the last finished scan found are listed too, so a type whose last resource
 * was deleted gets its removals.
 */
export async function planTasks(
  deps: PlanDeps,
  subscriptionIds: string[],
  resourceGroup: string | undefined,
  requestedTypes: string[] | undefined,
  setting: InventorySourceSetting = 'auto',
): Promise<ScanPlan> {
  const [graph, previous] = await Promise.all([
    setting === 'arm'
      ? { reason: 'TOPDECK_INVENTORY_SOURCE=arm' }
      : deps.arm.resourceTypeCounts(subscriptionIds, resourceGroup).then(
          (counts) => ({ counts }),
          (e: unknown) => ({ error: classifyError(e, 'Resource Graph type counts') }),
        ),
    typesFoundLastTime(deps.store),
  ]);
  const requested = requestedTypes?.length ? new Set(requestedTypes.map((t) => t.toLowerCase())) : undefined;
  if ('counts' in graph) {
    const counts = graph.counts;
    const tasks = plan(subscriptionIds, (subscriptionId) => {
      const before = previous.get(subscriptionId) ?? new Set<string>();
      const present = new Set<string>([
        ...(counts.get(subscriptionId) ?? new Map<string, number>()).keys(),
        ...before,
      ]);
      if (requested) return [...requested].filter((t) => present.has(t));
      // The last scan took this subscription's other types from its whole generic list, so which
      // of them it found is not on record: the inventory task lists them again (and removes those
      // gone), the dedicated types are listed as Graph counted them.
      if (before.has(INVENTORY_TYPE))
        return [...[...present].filter((t) => findDedicated(t)), INVENTORY_TYPE];
      return [...present].filter((t) => t !== INVENTORY_TYPE);
    });
    const reason =
      setting === 'resourcegraph'
        ? 'TOPDECK_INVENTORY_SOURCE=resourcegraph'
        : 'Resource Graph answered (TOPDECK_INVENTORY_SOURCE=auto)';
    return { tasks, inventory: { source: 'resourcegraph', reason }, counts };
  }
  let reason = 'reason' in graph ? graph.reason : '';
  if ('error' in graph) {
    const why = redactText(
      `${graph.error.statusCode ?? ''} ${graph.error.code}: ${graph.error.message}`.trim(),
    );
    if (setting === 'resourcegraph') {
      throw new TopDeckError({
        code: 'ResourceGraphUnavailable',
        message: `TOPDECK_INVENTORY_SOURCE=resourcegraph but Resource Graph did not answer (${why}); set it to auto or arm to use Resource Manager listings`,
        transient: graph.error.transient,
        cause: graph.error,
      });
    }
    reason = `Resource Graph did not answer (${why}); Resource Manager listings used`;
    deps.logger.warn('Resource Graph did not answer; listing every subscription through Resource Manager', {
      reason: why,
    });
  }
  const tasks = plan(subscriptionIds, (subscriptionId) => {
    const before = [...(previous.get(subscriptionId) ?? [])].filter((t) => findDedicated(t));
    // a request for named types lists exactly those (a generic one by a type-filtered list)
    return requested ? [...requested] : [...before, INVENTORY_TYPE];
  });
  return { tasks, inventory: { source: 'arm', reason } };
}

/** One task per (subscription, canonical type), dedicated types by their discoverer. */
function plan(subscriptionIds: string[], typesOf: (subscriptionId: string) => string[]): PlannedTask[] {
  const tasks: PlannedTask[] = [];
  for (const subscriptionId of subscriptionIds) {
    const seen = new Set<string>();
    for (const t of typesOf(subscriptionId).sort()) {
      const discoverer = t === INVENTORY_TYPE ? genericResources : findDiscoverer(t);
      const resourceType = t === INVENTORY_TYPE ? t : canonicalType(t);
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
