import type { TableClient } from '@azure/data-tables';
import pLimit from 'p-limit';
import type { TokenCredential } from '@azure/identity';
import type { ChangeLog } from '../changes/ChangeLog';
import type { ArmClients } from '../discovery/armClients';
import { parseResourceId } from '../discovery/Resource';
import { sdk } from '../discovery/sdk';
import { classifyError } from '../errors/classifyError';
import { TopDeckError } from '../errors/TopDeckError';
import type { PageMessage } from '../scan/messages';
import type { ScanRow, TaskRow } from '../scan/ScanRecords';
import type { ExtensionPage, PlannedTask, ScanExtension } from '../scan/ScanExtension';
import { CHAIN_SUBSCRIPTIONS } from '../scan/planChains';
import type { ScanStore } from '../scan/ScanStore';
import type { GroupedError } from '../scan/summarizeTasks';
import { escapeKeyPart, resourcePartitionKey, resourceRowKey } from '../storage/keys';
import type { Logger } from '../telemetry/logger';
import { connectCluster, type ClusterConnection } from './connectCluster';
import type { KubernetesResilience } from './createKubernetesResilience';
import { KubernetesClient } from './KubernetesClient';
import { UNREACHABLE_CODES } from './kubernetesError';
import {
  CLUSTER_TYPE,
  KUBERNETES_KINDS,
  KUBERNETES_TYPES,
  kubernetesType,
  type KubernetesKind,
} from './kubernetesKinds';
import type { KubernetesObject } from './kubernetesObject';
import { mapKubernetesObject, type MappedObject } from './mapKubernetesObject';
import { removeClusterObjects, removeGoneObjects } from './removeGoneObjects';
import {
  loadReplicaSetOwners,
  replicaSetOwners,
  replicaSetsOfPods,
  saveReplicaSetOwners,
  type ReplicaSetOwners,
} from './replicaSetOwners';
import { resolveWorkloadIdentities } from './resolveWorkloadIdentities';
import { podSumWorkloadId, sumPods, type PodSum } from './sumPods';
import { writeObjects, writePodSums } from './writeObjects';

/** The resource type of the scan's Kubernetes tasks (not of any stored row). */
export const KUBERNETES_TASK_TYPE = `${CLUSTER_TYPE}/kubernetes`;
export const KUBERNETES_QUEUE = 'discover-kubernetes';
/** Kubernetes' `limit` per list call; a message lists kinds until it holds this many objects (at most twice it: ~3 MB of JSON). */
export const KUBERNETES_PAGE_LIMIT = 1000;
/** Clusters whose removals finalize reads at once (each reads its rows one type after another). */
const REMOVAL_CONCURRENCY = 4;
/** How long a cluster's connection (server, CA, token) is reused in one process, in milliseconds. */
const CONNECTION_TTL_MS = 5 * 60_000;

/** Where a cluster task is: which kind, its `continue`, and the pod sum carried over a page break. */
interface Position {
  k: number;
  c?: string;
  carry?: PodSum;
}

export interface KubernetesScanExtensionOptions {
  arm: ArmClients;
  credential: TokenCredential;
  resilience: KubernetesResilience;
  resources: TableClient;
  changes: ChangeLog;
  store: ScanStore;
  logger: Logger;
  pageLimit?: number;
  /** Per call, in milliseconds. */
  timeoutMs?: number;
  now?: () => Date;
}

/**
 * AKS clusters' insides in the scan: a task lists the scan's clusters and adds one task per
 * cluster; a cluster's task pages through the kinds (src/kubernetes/kubernetesKinds.ts) one list
 * call a message, with Kubernetes' `limit` + `continue`. Finalize removes the objects a cluster
 * task that finished cleanly no longer saw. A cluster that cannot be reached, refuses the token
 * or times out fails its own task only: the scan ends `partial`.
 */
/** The types of the rows this extension keeps, lower-cased. */
const KUBERNETES_ROW_TYPES = new Set(KUBERNETES_TYPES.map((t) => t.toLowerCase()));

export class KubernetesScanExtension implements ScanExtension {
  private readonly connections = new Map<string, { at: number; connection: Promise<ClusterConnection> }>();
  private readonly now: () => Date;

  constructor(private readonly o: KubernetesScanExtensionOptions) {
    this.now = o.now ?? (() => new Date());
  }

  owns(resourceType: string): boolean {
    return resourceType.toLowerCase() === KUBERNETES_TASK_TYPE.toLowerCase();
  }

  keepsType(resourceType: string): boolean {
    return KUBERNETES_ROW_TYPES.has(resourceType.toLowerCase());
  }

  queueName(): string {
    return KUBERNETES_QUEUE;
  }

  /**
   * A task per AKS cluster of the scan's subscriptions (so a scan of an estate without AKS has no
   * Kubernetes task). On the Resource Graph path the clusters come from one paged Graph query per
   * 100 subscriptions (clustersFromGraph); on the Resource Manager path, or when that query
   * fails, from one paged cluster list per subscription. A subscription whose list fails plans a
   * task that lists its clusters again and fails with the reason.
   */
  async planTasks(request: {
    scanId: string;
    resourceTypes?: string[];
    subscriptionIds?: string[];
    resourceGroup?: string;
    inventorySource?: 'resourcegraph' | 'arm';
  }): Promise<PlannedTask[]> {
    const wanted = [CLUSTER_TYPE, KUBERNETES_TASK_TYPE, ...KUBERNETES_TYPES].map((t) => t.toLowerCase());
    if (request.resourceTypes?.length && !request.resourceTypes.some((t) => wanted.includes(t.toLowerCase())))
      return [];
    const subscriptionIds = request.subscriptionIds ?? [];
    const planned: PlannedTask[] = [];
    for (let i = 0; i < subscriptionIds.length; i += CHAIN_SUBSCRIPTIONS) {
      const batch = subscriptionIds.slice(i, i + CHAIN_SUBSCRIPTIONS);
      const fromGraph =
        request.inventorySource === 'resourcegraph'
          ? await this.clustersFromGraph(batch, request.resourceGroup)
          : undefined;
      for (const subscriptionId of batch) {
        try {
          const ids = fromGraph
            ? (fromGraph.get(subscriptionId.toLowerCase()) ?? [])
            : await this.clusterIds(subscriptionId, request.resourceGroup);
          for (const id of ids) planned.push(this.plan(subscriptionId, id));
        } catch {
          planned.push(this.plan(subscriptionId, '*'));
        }
      }
    }
    return planned;
  }

  /**
   * The AKS clusters of these subscriptions by (lower-case) subscription, from one Resource Graph
   * rows query paged by `$skipToken` (the scan's own Graph client: its endpoint, retries and
   * policies). Undefined when Graph fails: the caller lists each subscription through Resource
   * Manager instead. Graph lags Azure by up to ~30 s: a cluster created just before the scan is
   * found by the next one, as for the inventory on this path.
   */
  private async clustersFromGraph(
    subscriptionIds: string[],
    resourceGroup?: string,
  ): Promise<Map<string, string[]> | undefined> {
    const bySubscription = new Map<string, string[]>();
    try {
      let skipToken: string | undefined;
      do {
        const answer = await this.o.arm.resourceGraphRows({
          types: [CLUSTER_TYPE],
          subscriptionIds,
          ...(resourceGroup ? { resourceGroup } : {}),
          ...(skipToken ? { skipToken } : {}),
        });
        for (const row of answer.rows) {
          const id = typeof row.id === 'string' ? row.id : undefined;
          const subscriptionId = (parseResourceId(id ?? '')?.subscriptionId ?? '').toLowerCase();
          if (!id || !subscriptionId) continue;
          const list = bySubscription.get(subscriptionId) ?? [];
          list.push(id);
          bySubscription.set(subscriptionId, list);
        }
        skipToken = answer.skipToken;
      } while (skipToken);
    } catch (e) {
      const error = classifyError(e, 'listing AKS clusters from Resource Graph');
      this.o.logger.warn(
        'Resource Graph did not list the AKS clusters; listing them through Resource Manager',
        {
          reason: `${error.statusCode ?? ''} ${error.code}`.trim(),
          subscriptions: subscriptionIds.length,
        },
      );
      return undefined;
    }
    return bySubscription;
  }

  private async clusterIds(subscriptionId: string, resourceGroup?: string): Promise<string[]> {
    const client = this.o.arm.client(sdk.containerService().ContainerServiceClient, subscriptionId);
    const ids: string[] = [];
    try {
      const list = resourceGroup
        ? client.managedClusters.listByResourceGroup(resourceGroup)
        : client.managedClusters.list();
      for await (const c of list) if (c.id) ids.push(c.id);
    } catch (e) {
      // No AKS in a subscription that never registered the provider (nor in a missing group).
      const error = classifyError(e, 'listing AKS clusters');
      if (['MissingSubscriptionRegistration', 'ResourceGroupNotFound'].includes(error.code)) return [];
      throw error;
    }
    return ids;
  }

  private plan(subscriptionId: string, clusterId: string): PlannedTask {
    return {
      task: {
        taskId: `kubernetes|${escapeKeyPart(clusterId === '*' ? `${subscriptionId}|clusters` : clusterId)}`,
        subscriptionId,
        resourceType: KUBERNETES_TASK_TYPE,
        project: clusterId,
      },
      queueName: KUBERNETES_QUEUE,
    };
  }

  describeFailure(error: TopDeckError, msg: PageMessage): string {
    const cluster = msg.project && msg.project !== '*' ? msg.project.split('/').pop() : undefined;
    if (error.code.startsWith('Kubernetes')) return error.message;
    return cluster
      ? `Kubernetes objects of cluster ${cluster} could not be read (${error.statusCode ?? ''} ${error.code}): ${error.message}`
      : `listing the AKS clusters failed (${error.statusCode ?? ''} ${error.code}): ${error.message}`;
  }

  async fetchPage(msg: PageMessage): Promise<ExtensionPage> {
    if (!msg.project || msg.project === '*') return this.listClusters(msg);
    try {
      return await this.clusterPage(msg, msg.project);
    } catch (e) {
      const error = classifyError(e, `Kubernetes page ${msg.page}`);
      // Unreachable after the call's own retries: that cluster's task fails now, not after every
      // redelivery of the queue (a private cluster stays private).
      if (UNREACHABLE_CODES.has(error.code))
        throw new TopDeckError({ code: error.code, transient: false, message: error.message, cause: e });
      if (!error.transient) this.connections.delete(msg.project.toLowerCase());
      throw error;
    }
  }

  /** A subscription whose cluster list failed at scan start: listed again, a task per cluster. */
  private async listClusters(msg: PageMessage): Promise<ExtensionPage> {
    const scan = await this.o.store.getScan(msg.scanId);
    const ids = await this.clusterIds(msg.subscriptionId, scan?.resourceGroup);
    return {
      spawn: ids.map((id) => this.plan(msg.subscriptionId, id)),
      write: async () => ({ items: 0, added: 0, modified: 0 }),
    };
  }

  private connect(clusterId: string): Promise<ClusterConnection> {
    const key = clusterId.toLowerCase();
    const cached = this.connections.get(key);
    if (cached && Date.now() - cached.at < CONNECTION_TTL_MS) return cached.connection;
    const connection = connectCluster(this.o.arm, this.o.credential, clusterId);
    connection.catch(() => this.connections.delete(key));
    this.connections.set(key, { at: Date.now(), connection });
    return connection;
  }

  /**
   * One message of a cluster task: list calls one after another from the task's position, kind
   * after kind, until a page is full (`limit` objects, or a kind with more to come) or the kinds
   * are done; so the small kinds of a cluster share a message rather than taking one each.
   */
  private async clusterPage(msg: PageMessage, clusterId: string): Promise<ExtensionPage> {
    let position: Position = msg.continuationToken
      ? (JSON.parse(msg.continuationToken) as Position)
      : { k: 0 };
    if (!KUBERNETES_KINDS[position.k])
      throw new TopDeckError({
        code: 'ValidationError',
        transient: false,
        message: `bad Kubernetes position ${position.k}`,
      });
    const connection = await this.connect(clusterId);
    const client = new KubernetesClient(connection.endpoint, {
      stack: this.o.resilience.stackFor(clusterId),
      ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}),
    });
    const limit = this.o.pageLimit ?? KUBERNETES_PAGE_LIMIT;
    const parts: Array<{ kind: KubernetesKind; items: KubernetesObject[] }> = [];
    let podSums: PodSum[] = [];
    const owners: ReplicaSetOwners = new Map();
    let listedCount = 0;
    let next: Position | undefined = position;
    while (next && listedCount < limit) {
      position = next;
      const kind = KUBERNETES_KINDS[position.k] as KubernetesKind;
      // each call asks for a whole page: a message holds at most two pages of objects
      const listed = await client.listPage(kind, limit, position.c);
      listedCount += listed.items.length;
      if (kind === 'replicasets') {
        // read for the owner chain only: kept for this message's pods and noted for later ones'
        const found = replicaSetOwners(listed.items);
        for (const [k, v] of found) owners.set(k, v);
        await saveReplicaSetOwners(this.o.store, msg.scanId, msg.taskId, found);
        next = listed.continueToken ? { k: position.k, c: listed.continueToken } : undefined;
      } else if (kind === 'pods') {
        const wanted = replicaSetsOfPods(listed.items).filter((k) => !owners.has(k));
        for (const [k, v] of await loadReplicaSetOwners(this.o.store, msg.scanId, msg.taskId, wanted))
          owners.set(k, v);
        const pods = sumPods(listed.items, position.carry, !listed.continueToken, owners);
        podSums = pods.done;
        next = listed.continueToken
          ? { k: position.k, c: listed.continueToken, ...(pods.carry ? { carry: pods.carry } : {}) }
          : undefined;
      } else {
        parts.push({ kind, items: listed.items });
        next = listed.continueToken ? { k: position.k, c: listed.continueToken } : undefined;
      }
      if (next) break; // a kind with more to come fills the page
      next = position.k + 1 < KUBERNETES_KINDS.length ? { k: position.k + 1 } : undefined;
    }
    const deps = { resources: this.o.resources, changes: this.o.changes, now: this.now };
    const { context } = connection;
    const parsed = parseResourceId(context.clusterId);
    const subscriptionId = parsed?.subscriptionId ?? msg.subscriptionId;
    return {
      ...(next ? { continuationToken: JSON.stringify(next) } : {}),
      write: async () => {
        const mapped: MappedObject[] = [];
        let skipped = 0;
        for (const { kind, items } of parts)
          for (const o of items) {
            try {
              mapped.push(mapKubernetesObject(kind, o, context));
            } catch {
              skipped++;
            }
          }
        if (skipped) this.o.logger.warn('Kubernetes objects in an unexpected shape skipped', { skipped });
        if (parts.some((p) => p.kind === 'serviceaccounts'))
          await resolveWorkloadIdentities(this.o.arm, subscriptionId, mapped);
        // Objects first: pod sums go only onto workload rows that exist.
        const counts = await writeObjects(deps, msg.scanId, subscriptionId, mapped, msg.baseline === true);
        await writePodSums(
          deps,
          podSums.map((sum) => ({
            partitionKey: resourcePartitionKey(
              subscriptionId,
              kubernetesType(sum.owner.split('|')[0] as KubernetesKind),
              parsed?.resourceGroup ?? '',
            ),
            rowKey: resourceRowKey(podSumWorkloadId(context.clusterId, sum)),
            sum,
          })),
        );
        return counts;
      },
    };
  }

  /**
   * A cluster a clean listing found gone from Azure: its objects are removed too, with their
   * `removed` change items. Not while this scan has a task for that cluster (it answered, or its
   * task failed: nothing is removed on a failure), nor for a subscription whose cluster list this
   * extension could not read.
   */
  async removeOwnedBy(
    scan: ScanRow,
    tasks: TaskRow[],
    gone: ReadonlyArray<{ id: string; type: string }>,
  ): Promise<number> {
    const clusters = gone.filter((g) => g.type.toLowerCase() === CLUSTER_TYPE.toLowerCase());
    if (!clusters.length) return 0;
    const own = tasks.filter((t) => this.owns(t.resourceType));
    const deps = { resources: this.o.resources, changes: this.o.changes, store: this.o.store, now: this.now };
    let removed = 0;
    for (const { id } of clusters) {
      const subscriptionId = parseResourceId(id)?.subscriptionId.toLowerCase();
      const held = own.some(
        (t) =>
          t.project?.toLowerCase() === id.toLowerCase() ||
          (t.project === '*' &&
            t.subscriptionId.toLowerCase() === subscriptionId &&
            t.status !== 'completed'),
      );
      if (!held) removed += await removeClusterObjects(deps, scan, id);
    }
    return removed;
  }

  async finalize(scan: ScanRow, tasks: TaskRow[]): Promise<GroupedError[]> {
    const clean = tasks.filter(
      (t) => this.owns(t.resourceType) && t.status === 'completed' && t.project && t.project !== '*',
    );
    // Clusters' rows are disjoint: their removals go a few at a time (an error still fails finalize).
    const limit = pLimit(REMOVAL_CONCURRENCY);
    const deps = { resources: this.o.resources, changes: this.o.changes, store: this.o.store, now: this.now };
    await Promise.all(clean.map((t) => limit(() => removeGoneObjects(deps, scan, t))));
    return [];
  }
}
