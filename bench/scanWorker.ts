/**
 * One benchmark run in its own process, so its peak RSS and CPU are TopDeck's alone: storage
 * (Azurite) and the Resource Manager emulator run in other processes. Prints one JSON line.
 * Env: AzureWebJobsStorage, TOPDECK_ARM_ENDPOINT, TOPDECK_ARM_TOKEN, NODE_EXTRA_CA_CERTS,
 * BENCH_FLOOR=1 (measure the storage floor after the scan).
 */
import fs from 'node:fs';
import https from 'node:https';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { TERMINAL_SCAN } from '../src/scan/ScanRecords';
import { startLocal } from '../src/runtime/startLocal';
import { setLogLevel, setLogSink } from '../src/telemetry/logger';
import { processCpuMs } from './processCpu';
import { countRequestsTo, countTableOperations, tableRequestKind } from './countRequests';
import { storageFloorMs } from './storageFloor';
import { phaseTimings } from './phaseTimings';
import * as processPage from '../src/scan/processPage';
import * as readExisting from '../src/scan/readExisting';
import * as tombstones from '../src/storage/tombstones';
import * as completeTaskIfDone from '../src/scan/completeTaskIfDone';
import * as finishTask from '../src/scan/finishTask';
import * as finalizeScan from '../src/scan/finalizeScan';
import * as startScan from '../src/scan/startScan';
import { ScanStore } from '../src/scan/ScanStore';

/**
 * The re-scan's Table requests by step (BENCH_RESCAN=1): where an unchanged re-scan's
 * transactions go. A request is counted under the innermost step running when it was sent.
 */
const phases = phaseTimings();
const steps: Array<[object, string, string]> = [
  [startScan, 'startScan', 'start'],
  [processPage, 'processPage', 'page: bookkeeping'],
  [ScanStore.prototype, 'getTask', 'page: task read'],
  [ScanStore.prototype, 'claimPage', 'page: claim'],
  [ScanStore.prototype, 'getPageMarker', 'page: claim'],
  [ScanStore.prototype, 'updatePageMarker', 'page: marker'],
  [ScanStore.prototype, 'finishOnePageTask', 'page: marker'],
  [ScanStore.prototype, 'updateTask', 'page: task write'],
  [readExisting, 'readExistingInOneRange', 'page: stored rows (Graph page)'],
  [readExisting, 'readExisting', 'page: stored rows (listing page)'],
  [tombstones, 'tombstonesSince', 'page: tombstones'],
  [tombstones, 'tombstonedSince', 'page: tombstones'],
  [completeTaskIfDone, 'completeTaskIfDone', 'page: task completion'],
  [finishTask, 'finalizeIfAllTasksDone', 'page: finalize check'],
  [finalizeScan, 'finalizeScan', 'finalize'],
];
for (const [target, name, label] of steps) phases.wrap(target, name, label);

/** Live heap once garbage is collected (needs --expose-gc; else the current heap). */
function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

function opsDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).map(([k, n]) => [k, n - (before[k] ?? 0)]));
}

/** Table calls of the scan itself: everything but the harness's polling. */
function scanOwn(byKind: Record<string, number>): number {
  return Object.entries(byKind).reduce((n, [k, c]) => (k === 'harness' ? n : n + c), 0);
}

function tablePort(connectionString: string): number {
  return Number(/TableEndpoint=http:\/\/[^:]+:(\d+)/.exec(connectionString)?.[1] ?? 0);
}

/**
 * What a re-scan's page costs on this machine besides its Graph call: one stored-rows read (a
 * 1,000-row range query of `resources`, the columns a page compares) and one queue hop (send,
 * receive and delete of a page-sized message on Azurite; the runtime's poller is woken on send).
 * Means of 10 each, after the scans.
 */
async function hopAndReadMs(
  resources: TableClient,
  connectionString: string,
): Promise<{ pageReadMs: number; queueHopMs: number }> {
  const times = async (n: number, fn: () => Promise<unknown>) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) await fn();
    return (performance.now() - started) / n;
  };
  const select = ['PartitionKey', 'RowKey', 'id', 'hash', 'discoveredAt', 'firstSeenAt', 'scanId'];
  const pageReadMs = await times(10, async () => {
    for await (const page of resources
      .listEntities({ queryOptions: { select } })
      .byPage({ maxPageSize: 1000 }))
      return page.length;
  });
  const queue = new QueueClient(connectionString, 'benchhop');
  await queue.createIfNotExists();
  const body = Buffer.from(JSON.stringify({ kind: 'page', filler: 'x'.repeat(1500) })).toString('base64');
  const queueHopMs = await times(10, async () => {
    await queue.sendMessage(body);
    const got = await queue.receiveMessages({ numberOfMessages: 1 });
    const m = got.receivedMessageItems[0];
    if (m) await queue.deleteMessage(m.messageId, m.popReceipt);
  });
  await queue.delete();
  return { pageReadMs, queueHopMs };
}

async function main(): Promise<void> {
  // BENCH_LOG=<file> keeps the JSON log lines (debug level) for a timeline; otherwise silent.
  const logFile = process.env.BENCH_LOG;
  if (logFile) {
    setLogLevel('debug');
    const out = fs.createWriteStream(logFile);
    setLogSink((line) => out.write(line + '\n'));
  } else {
    setLogSink(() => undefined);
  }
  const connectionString = process.env.AzureWebJobsStorage ?? '';
  const tableRequests = countRequestsTo(tablePort(connectionString), tableRequestKind);
  // Resource Manager requests by kind: the per-item reads where Azure offers no listing (a site's
  // settings and connection strings, a SQL server's databases, a namespace's network rules).
  const armRequests = countRequestsTo(
    Number(new URL(process.env.TOPDECK_ARM_ENDPOINT ?? 'https://localhost:1').port),
    (_method, path) =>
      /\/microsoft\.web\/sites\/[^/]+\/config\/(appsettings|connectionstrings)\/list$/i.test(path)
        ? 'siteSettings'
        : /\/microsoft\.sql\/servers\/[^/]+\/databases$/i.test(path)
          ? 'sqlServerDatabases'
          : /\/microsoft\.servicebus\/namespaces\/[^/]+\/networkrulesets/i.test(path)
            ? 'namespaceNetworkRules'
            : /\/providers\/microsoft\.resourcegraph\//i.test(path)
              ? 'graph'
              : 'listing',
    https,
  );
  // Resource Manager reads by subscription (the budget Azure meters per subscription)
  const armBySubscription = countRequestsTo(
    Number(new URL(process.env.TOPDECK_ARM_ENDPOINT ?? 'https://localhost:1').port),
    (_method, path) => /^\/subscriptions\/([^/?]+)/i.exec(path)?.[1]?.toLowerCase() ?? 'tenant',
    https,
  );
  const host = await startLocal({ env: { ...process.env, PORT: '0' }, timers: false });
  const { services } = host;
  const tableOps = countTableOperations(Object.values(services.tables));
  if (process.env.BENCH_RESCAN === '1') phases.watchTables(Object.values(services.tables));
  const peak = { heapTotal: 0 };
  let liveHeapPeak = 0;
  const sampler = setInterval(() => {
    peak.heapTotal = Math.max(peak.heapTotal, process.memoryUsage().heapTotal);
  }, 50);
  // live heap: sampled after a full GC every 2 s while the scan runs
  const gcSampler = setInterval(() => {
    const live = heapAfterGc();
    liveHeapPeak = Math.max(liveHeapPeak, live);
    // with BENCH_LOG, each sample is a line of the timeline: where in the scan the peak is
    if (logFile) services.logger.debug('bench: live heap after GC', { bytes: live });
  }, 2000);
  // Azurite's table process, when the harness says which: its CPU shows how much storage work
  // the scan asked for, against the floor's.
  const storagePid = Number(process.env.BENCH_TABLE_PID) || undefined;
  const storageCpuBefore = processCpuMs(storagePid);
  const tablesBefore = tableRequests();
  const opsBefore = tableOps.counts();
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  const scan = await services.scans.startScan({ trigger: 'local' });
  // Done is watched on the scan's row (one point read every 50 ms); the live progress view is
  // read every 250 ms, as `npm start` shows it. Both are the harness's reads, counted apart.
  let lastView = 0;
  for (;;) {
    const row = await tableOps.apart(() => services.store.getScan(scan.scanId));
    if (row && TERMINAL_SCAN.includes(row.status)) break;
    if (Date.now() - lastView >= 250) {
      lastView = Date.now();
      await tableOps.apart(() => services.scansApi.get(scan.scanId));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const view = await tableOps.apart(() => services.scansApi.get(scan.scanId));
  const status = view.status;
  const resources = view.counts.resources;
  const pages = view.pages ?? 0;
  const inventorySource = view.inventory?.source;
  const wallMs = Date.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const storageCpuAfter = processCpuMs(storagePid);
  const tablesAfter = tableRequests();
  // The scan's own Table calls by table and operation; the harness's polling is apart.
  const tableTransactionsByKind = opsDelta(opsBefore, tableOps.counts());
  const tableTransactions = scanOwn(tableTransactionsByKind);
  clearInterval(sampler);
  clearInterval(gcSampler);
  liveHeapPeak = Math.max(liveHeapPeak, heapAfterGc());
  const result: Record<string, unknown> = {
    status,
    resources,
    pages,
    inventorySource,
    apiCalls: services.arm.stats().apiCalls,
    armRequestsByKind: armRequests().byKind,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    ...(storageCpuBefore !== undefined && storageCpuAfter !== undefined
      ? { storageCpuMs: storageCpuAfter - storageCpuBefore }
      : {}),
    tableTransactions,
    tableTransactionsByKind,
    tableRequestsWithHarness: tablesAfter.total - tablesBefore.total,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedAfterGcBytes: liveHeapPeak,
    peakHeapTotalBytes: peak.heapTotal,
  };
  if (process.env.BENCH_FLOOR === '1') {
    // The same entities the scan wrote (resources, change records, the graph), again, without
    // Resource Manager. The scan's own bookkeeping (tasks, page markers) is not in the floor.
    const entities: Array<Record<string, unknown> & { partitionKey: string; rowKey: string }> = [];
    for (const t of [services.tables.resources, services.tables.changes, services.tables.dependencies])
      for await (const e of t.listEntities()) {
        const { etag: _etag, timestamp: _ts, ...rest } = e as Record<string, unknown>;
        entities.push({ ...(rest as (typeof entities)[number]), __table: t.tableName });
      }
    const floor = await storageFloorMs(
      entities,
      async (name) => {
        const t = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
        await t.createTable();
        return t;
      },
      { storageCpuMs: () => processCpuMs(storagePid) },
    );
    // The partition floor: the fewest write transactions these entities can take with their keys
    // (a transaction is one partition, at most 100 entities), by table.
    const partitions = new Map<string, number>();
    for (const e of entities) {
      const table = (e as { __table?: string }).__table ?? '';
      partitions.set(`${table}\n${e.partitionKey}`, (partitions.get(`${table}\n${e.partitionKey}`) ?? 0) + 1);
    }
    const partitionFloor: Record<string, { partitions: number; transactions: number }> = {};
    for (const [key, n] of partitions) {
      const table = key.slice(0, key.indexOf('\n'));
      const f = (partitionFloor[table] ??= { partitions: 0, transactions: 0 });
      f.partitions++;
      f.transactions += Math.ceil(n / 100);
    }
    for (const e of entities) delete (e as { __table?: string }).__table;
    Object.assign(result, {
      partitionFloor,
      floorEntities: entities.length,
      floorMs: floor.bestMs,
      floorByConcurrency: floor.byConcurrency,
      ...(floor.storageCpuMs !== undefined ? { floorStorageCpuMs: floor.storageCpuMs } : {}),
    });
  }
  const bySubscription = Object.entries(armBySubscription().byKind).filter(([k]) => k !== 'tenant');
  result.armReadsPerSubscriptionMax = Math.max(0, ...bySubscription.map(([, n]) => n));
  result.subscriptionsRead = bySubscription.length;
  if (process.env.BENCH_RESCAN === '1') {
    // The same estate again, unchanged: what a re-scan costs (reads only, ideally)
    const ops0 = tableOps.counts();
    const arm0 = armRequests();
    const t0 = Date.now();
    phases.start();
    const again = await services.scans.startScan({ trigger: 'local' });
    for (;;) {
      const row = await phases.run('harness', () =>
        tableOps.apart(() => services.store.getScan(again.scanId)),
      );
      if (row && TERMINAL_SCAN.includes(row.status)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const view = await phases.run('harness', () => tableOps.apart(() => services.scansApi.get(again.scanId)));
    const phaseReport = phases.report();
    const byKind = opsDelta(ops0, tableOps.counts());
    const arm1 = armRequests();
    const delta = (a: Record<string, number>, b: Record<string, number>) =>
      Object.fromEntries(Object.entries(b).map(([k, n]) => [k, n - (a[k] ?? 0)]));
    result.rescan = {
      ...(await hopAndReadMs(services.tables.resources, connectionString)),
      status: view.status,
      wallMs: Date.now() - t0,
      counts: view.counts,
      tableTransactions: scanOwn(byKind),
      tableTransactionsByKind: byKind,
      armRequestsByKind: delta(arm0.byKind, arm1.byKind),
      tableRequestsByStep: Object.fromEntries(
        Object.entries(phaseReport.tables)
          .filter(([k]) => !k.startsWith('harness '))
          .map(([k, v]) => [k, v.requests]),
      ),
    };
  }
  await host.stop();
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
