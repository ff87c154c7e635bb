/**
 * Kubernetes benchmark: 20 AKS clusters × 500 app workloads (each with its ReplicaSet, pods and a
 * Service) in the demo emulator's look-alike, every list answered after LATENCY_MS (an API server
 * listing 500 objects). One scan of the clusters' insides through the local runtime (Azurite in
 * processes of its own, the real Kubernetes client and policies). Figures: list calls per kept
 * object; wall ÷ the lower bound, the larger of the longest chain of sequential list calls (one
 * cluster's pages, × latency) and the storage floor (the same rows written again to the same
 * Azurite, no Kubernetes at all); live heap growth, and how it moves when every cluster doubles.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { TableClient } from '@azure/data-tables';
import { startArmEmulator } from '../src/emulator';
import { KUBERNETES_KINDS, SUMMED_KINDS } from '../src/kubernetes/kubernetesKinds';
import { KUBERNETES_PAGE_LIMIT, KUBERNETES_TASK_TYPE } from '../src/kubernetes/KubernetesScanExtension';
import { startLocal } from '../src/runtime/startLocal';
import { TERMINAL_SCAN, TERMINAL_TASK } from '../src/scan/ScanRecords';
import { setLogSink } from '../src/telemetry/logger';
import { startAzuriteProcess } from './scanBench';
import { storageFloorMs } from './storageFloor';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

const LATENCY_MS = 200;
/** 10 connected subscriptions of 60 VMs hold exactly 20 AKS clusters (one subscription has none). */
const ESTATE = {
  subscriptionCount: Number(process.env.BENCH_K8S_SUBSCRIPTIONS ?? 10),
  vmsPerSubscription: 60,
};
/** App workloads per cluster of the main run (the memory run doubles it). */
const WORKLOADS = Number(process.env.BENCH_K8S_WORKLOADS ?? 500);
const LIST_KEY: Record<(typeof KUBERNETES_KINDS)[number], string> = {
  namespaces: 'v1/namespaces',
  nodes: 'v1/nodes',
  deployments: 'apps/v1/deployments',
  statefulsets: 'apps/v1/statefulsets',
  daemonsets: 'apps/v1/daemonsets',
  replicasets: 'apps/v1/replicasets',
  pods: 'v1/pods',
  services: 'v1/services',
  ingresses: 'networking.k8s.io/v1/ingresses',
  persistentvolumeclaims: 'v1/persistentvolumeclaims',
  persistentvolumes: 'v1/persistentvolumes',
  serviceaccounts: 'v1/serviceaccounts',
  configmaps: 'v1/configmaps',
  secretproviderclasses: 'secrets-store.csi.x-k8s.io/v1/secretproviderclasses',
};

interface Run {
  clusters: number;
  objects: number;
  pods: number;
  calls: number;
  wallMs: number;
  chainPages: number;
  floorMs: number;
  liveHeapGrowthBytes: number;
  status: string;
}

async function scanOnce(workloadsPerCluster: number, withFloor: boolean): Promise<Run> {
  const azurite = await startAzuriteProcess();
  const arm = await startArmEmulator({
    ...ESTATE,
    kubernetesWorkloadsPerCluster: workloadsPerCluster,
    kubernetesLatencyMs: LATENCY_MS,
  });
  const host = await startLocal({
    env: { PORT: '0', PATH: process.env.PATH, AzureWebJobsStorage: azurite.connectionString },
    memory: true,
    emulator: arm,
    timers: false,
    host: { visibilityTimeoutMs: 0 },
  });
  try {
    const clusters = arm.kubernetes?.clusters ?? [];
    const count = (c: (typeof clusters)[number], key: string) => c.lists.get(key)?.length ?? 0;
    const objects = clusters.reduce(
      (n, c) =>
        n +
        KUBERNETES_KINDS.filter((k) => !SUMMED_KINDS.has(k)).reduce(
          (m, k) => m + count(c, LIST_KEY[k] as string),
          0,
        ),
      0,
    );
    const pods = clusters.reduce((n, c) => n + count(c, 'v1/pods'), 0);
    // one cluster's task lists its kinds one page after another
    const chainPages = Math.max(
      ...clusters.map((c) =>
        KUBERNETES_KINDS.reduce(
          (n, k) => n + Math.max(1, Math.ceil(count(c, LIST_KEY[k] as string) / KUBERNETES_PAGE_LIMIT)),
          0,
        ),
      ),
    );
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 2000);
    const started = Date.now();
    const scan = await host.services.scans.startScan({
      trigger: 'local',
      resourceTypes: [KUBERNETES_TASK_TYPE],
    });
    let status = scan.status;
    let lastReport = Date.now();
    while (!TERMINAL_SCAN.includes(status)) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await host.services.store.getScan(scan.scanId))?.status ?? status;
      if (Date.now() - lastReport > 30_000) {
        lastReport = Date.now();
        const tasks = await host.services.store.listTasks(scan.scanId);
        const done = tasks.filter((t) => TERMINAL_TASK.includes(t.status)).length;
        console.log(
          `  … ${((Date.now() - started) / 1000).toFixed(0)} s: ${done}/${tasks.length} cluster tasks done, ${arm.kubernetes?.stats().requests ?? 0} list calls`,
        );
      }
    }
    const wallMs = Date.now() - started;
    clearInterval(sampler);
    const calls = arm.kubernetes?.stats().requests ?? 0;
    let floorMs = 0;
    if (withFloor) {
      const entities: Array<Record<string, unknown> & { partitionKey: string; rowKey: string }> = [];
      for (const t of [
        host.services.tables.resources,
        host.services.tables.changes,
        host.services.tables.dependencies,
      ])
        for await (const e of t.listEntities()) {
          const { etag: _etag, timestamp: _ts, ...rest } = e as Record<string, unknown>;
          entities.push(rest as (typeof entities)[number]);
        }
      floorMs = (
        await storageFloorMs(entities, async (name) => {
          const t = TableClient.fromConnectionString(azurite.connectionString, name, {
            allowInsecureConnection: true,
          });
          await t.createTable();
          return t;
        })
      ).bestMs;
    }
    return {
      clusters: clusters.length,
      objects,
      pods,
      calls,
      wallMs,
      chainPages,
      floorMs,
      liveHeapGrowthBytes: peak - baseline,
      status,
    };
  } finally {
    await host.stop();
    await arm.close();
    azurite.stop();
  }
}

export async function main(): Promise<{ pass: boolean }> {
  setLogSink(() => undefined);
  const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
  // BENCH_K8S_FLOOR=0 skips the storage floor (slow on a shared machine): wall/bound is then not judged.
  const withFloor = process.env.BENCH_K8S_FLOOR !== '0';
  const run = await scanOnce(WORKLOADS, withFloor);
  const callsPerObject = run.calls / run.objects;
  const chainMs = run.chainPages * LATENCY_MS;
  const boundMs = Math.max(chainMs, run.floorMs);
  const ratio = run.wallMs / boundMs;
  console.log(
    `\nKubernetes benchmark: ${run.clusters} clusters × ${WORKLOADS} app workloads: ${run.objects} objects kept, ${run.pods} pods summed; ${LATENCY_MS} ms a list call, limit ${KUBERNETES_PAGE_LIMIT}`,
  );
  console.log(`  scan ${run.status} in ${(run.wallMs / 1000).toFixed(2)} s; ${run.calls} list calls`);
  console.log(`  list calls per object ${callsPerObject.toFixed(4)} (target <= 0.02)`);
  console.log(
    `  lower bound ${(boundMs / 1000).toFixed(2)} s = max(longest chain ${run.chainPages} pages × ${LATENCY_MS} ms = ${(chainMs / 1000).toFixed(2)} s, storage floor ${(run.floorMs / 1000).toFixed(2)} s); wall/bound ${ratio.toFixed(2)} (target <= 1.5)`,
  );
  // Memory: the same scan with every cluster twice as large; bounded by a page, the growth stays.
  const double = await scanOnce(WORKLOADS * 2, false);
  const heapRatio = double.liveHeapGrowthBytes / Math.max(1, run.liveHeapGrowthBytes);
  console.log(
    `  live heap growth during the scan: ${mb(run.liveHeapGrowthBytes)} at ${WORKLOADS} workloads a cluster, ${mb(double.liveHeapGrowthBytes)} at ${WORKLOADS * 2} (${double.objects} objects): ×${heapRatio.toFixed(2)} for ×2 the cluster (target <= 1.5: bounded by a page)`,
  );
  const checks = {
    callsPerObject: callsPerObject <= 0.02,
    wallOverBound: !withFloor || ratio <= 1.5,
    heap: heapRatio <= 1.5,
    completed: run.status === 'completed' && double.status === 'completed',
  };
  for (const [name, ok] of Object.entries(checks)) console.log(`  ${name}: ${ok ? 'PASS' : 'FAIL'}`);
  return { pass: Object.values(checks).every(Boolean) };
}

if (require.main === module) {
  main().then(
    (r) => process.exit(r.pass ? 0 : 1),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
