/**
 * `npm start`: hosts TopDeck locally, runs a first scan at once, shows its progress and a
 * summary, then keeps serving the HTTP API (or exits with `--once`).
 *
 *   npm start                 demo estate (no Azure configured), API on PORT (7071)
 *   npm start -- --once       exit 0 after the first scan completes, non-zero otherwise
 *   npm start -- --azure      real Azure, every subscription DefaultAzureCredential sees
 *   npm start -- --memory     keep storage in memory (nothing under .topdeck/)
 *   npm start -- --no-scan    serve only: finish the work a killed run left, start no scan
 *   npm start -- --resources 10000 --subscriptions 3 --latency 50   demo estate size
 */
// First: Application Insights must start before anything loads http/https.
import { DEFAULT_SUBSCRIPTIONS, vmsForTotal } from '../emulator/estate';
import '../telemetry/preload';
import fs from 'node:fs';
import path from 'node:path';
import { SettingsError } from '../config/settings';
import { TERMINAL_SCAN, type TaskRow } from '../scan/ScanRecords';
import { isTelemetryStarted, shutdownTelemetry } from '../telemetry/appInsights';
import { setLogSink, type LogLevel } from '../telemetry/logger';
import { currentTraceparent, runWithTraceparent, withoutTracing } from '../telemetry/traceContext';
import { startLocal, type LocalHost } from './startLocal';

interface CliArgs {
  once: boolean;
  scan: boolean;
  azure: boolean;
  memory: boolean;
  vms?: number;
  resources?: number;
  vmOnly?: boolean;
  subscriptions?: number;
  latency?: number;
  pageSize?: number;
  noDevops?: boolean;
}

function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { once: false, scan: true, azure: false, memory: false };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n < 0)
      throw new Error(`${flag} needs a number, got "${v ?? ''}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--once') args.once = true;
    else if (a === '--azure') args.azure = true;
    else if (a === '--memory') args.memory = true;
    else if (a === '--no-scan') args.scan = false;
    else if (a === '--no-devops') args.noDevops = true;
    else if (a === '--vms') args.vms = num(a, argv[++i]);
    else if (a === '--resources') args.resources = num(a, argv[++i]);
    else if (a === '--vm-only') args.vmOnly = true;
    else if (a === '--subscriptions') args.subscriptions = num(a, argv[++i]);
    else if (a === '--latency') args.latency = num(a, argv[++i]);
    else if (a === '--page-size') args.pageSize = num(a, argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm start -- [--once] [--no-scan] [--azure] [--memory] [--no-devops] [--resources N | --vms N] [--vm-only] [--subscriptions N] [--latency MS] [--page-size N]',
      );
      process.exit(0);
    } else throw new Error(`unknown option "${a}" (try --help)`);
  }
  if (args.once && !args.scan)
    throw new Error('--once waits for the first scan: it cannot go with --no-scan');
  return args;
}

const tty = Boolean(process.stdout.isTTY);
let liveLine = false;

function clearLive(): void {
  if (tty && liveLine) {
    process.stdout.write('\r\x1b[2K');
    liveLine = false;
  }
}

function fileSink(dataDir: string | undefined): void {
  let stream: fs.WriteStream | undefined;
  if (dataDir) {
    fs.mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
    stream = fs.createWriteStream(path.join(dataDir, 'logs', 'topdeck.log'), { flags: 'a' });
  }
  setLogSink((line: string, level: LogLevel) => {
    stream?.write(line + '\n');
    if (level === 'warn' || level === 'error') {
      clearLive();
      process.stderr.write(line + '\n');
    }
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
        .join('  '),
    )
    .join('\n');
}

/** A task's project as the table shows it: a DevOps project as is, a cluster's ARM id as `<group>/<name>`. */
function shortScope(project: string): string {
  const m = /\/resourceGroups\/([^/]+)\/providers\/.+\/([^/]+)$/i.exec(project);
  return m ? `${m[1]}/${m[2]}` : project;
}

async function runFirstScan(host: LocalHost): Promise<boolean> {
  const started = Date.now();
  // The local start is the scan's request: its trace is the scan's operation in App Insights.
  const scan = await runWithTraceparent(
    undefined,
    'localScan',
    () => host.services.scans.startScan({ trigger: 'local', traceparent: currentTraceparent() }),
    { kind: 'request' },
  );
  // Announced only once it would survive a kill.
  await host.flush();
  console.log(
    `scan ${scan.scanId} started: ${scan.tasksTotal} tasks over ${JSON.parse(scan.subscriptionIds).length} subscription(s)`,
  );
  let lastPrint = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    // Progress reads are the CLI's, not the scan's work: kept out of telemetry.
    const view = await withoutTracing(() => host.services.scansApi.get(scan.scanId));
    const arm = host.services.arm.stats();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const line = `scan ${view.status}: tasks ${view.tasks.completed + view.tasks.failed + view.tasks.skipped}/${view.tasks.total}, pages ${view.pages}, resources ${view.counts.resources}, API calls ${arm.apiCalls}, ${seconds}s`;
    if (tty) {
      process.stdout.write(`\r\x1b[2K${line}`);
      liveLine = true;
    } else if (Date.now() - lastPrint > 5000 || TERMINAL_SCAN.includes(view.status)) {
      console.log(line);
      lastPrint = Date.now();
    }
    if (!TERMINAL_SCAN.includes(view.status)) continue;
    clearLive();
    const tasks: TaskRow[] = await withoutTracing(() => host.services.store.listTasks(scan.scanId));
    const rows = [['subscription', 'type', 'resources', 'pages', 'status']];
    for (const t of [...tasks].sort((a, b) => a.taskId.localeCompare(b.taskId))) {
      const scope =
        t.project && t.project !== '*' ? `${t.subscriptionId}/${shortScope(t.project)}` : t.subscriptionId;
      rows.push([scope, t.resourceType, String(t.items ?? 0), String(t.pages ?? 0), t.status]);
    }
    console.log(`\nscan ${view.scanId} ${view.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.log(table(rows));
    console.log(
      `\nresources ${view.counts.resources} (added ${view.counts.added}, modified ${view.counts.modified}, removed ${view.counts.removed}); ` +
        `pages ${view.pages}; Resource Manager API calls ${arm.apiCalls} (429s ${arm.throttled}, 5xx ${arm.serverErrors}); ` +
        `tasks ${view.tasks.completed} completed, ${view.tasks.failed} failed, ${view.tasks.skipped} skipped`,
    );
    console.log(
      `dependencies ${view.counts.dependencies} (edges added ${view.counts.edgesAdded}, removed ${view.counts.edgesRemoved}): ` +
        `GET /api/graph, /api/dependencies?resourceId=...&direction=in&depth=5 for a blast radius`,
    );
    const devops = host.services.devops;
    if (devops) {
      const d = devops.client.stats();
      const apps = await withoutTracing(() => host.services.devopsApi.applications({ limit: '1000' }));
      console.log(
        `Azure DevOps ${devops.client.organization}: API calls ${d.calls} (429s ${d.throttled}, retries ${d.retries}); applications ${apps.items.length}`,
      );
    }
    for (const e of view.errors) console.log(`  error ${e.code} x${e.count}: ${e.message}`);
    return view.status === 'completed';
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dataDir = args.memory ? undefined : path.resolve('.topdeck');
  fileSink(dataDir);
  let host: LocalHost;
  try {
    host = await startLocal({
      azure: args.azure,
      memory: args.memory,
      demo: {
        ...(args.vms !== undefined ? { vmsPerSubscription: args.vms } : {}),
        ...(args.resources !== undefined
          ? {
              vmsPerSubscription: vmsForTotal(args.resources, args.subscriptions ?? DEFAULT_SUBSCRIPTIONS),
            }
          : {}),
        ...(args.vmOnly ? { connected: false } : {}),
        ...(args.subscriptions !== undefined ? { subscriptionCount: args.subscriptions } : {}),
        ...(args.latency !== undefined ? { latencyMs: args.latency } : {}),
        ...(args.pageSize !== undefined ? { pageSize: args.pageSize } : {}),
      },
      timers: !args.once,
      devopsDemo: args.noDevops
        ? false
        : { ...(args.latency !== undefined ? { latencyMs: args.latency } : {}) },
    });
  } catch (e) {
    if (e instanceof SettingsError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  console.log(
    `TopDeck local runtime: ${host.estate === 'demo' ? `demo estate at ${host.emulator?.endpoint}` : 'real Azure'}; ` +
      `${host.devopsEmulator ? `Azure DevOps look-alike at ${host.devopsEmulator.baseUrl}; ` : host.settings.AZURE_DEVOPS_ORG ? `Azure DevOps ${host.settings.AZURE_DEVOPS_ORG}; ` : ''}` +
      `storage ${host.azurite ? `Azurite (${args.memory ? 'in memory' : dataDir}) on ports ${host.azurite.queuePort}/${host.azurite.tablePort}` : 'AzureWebJobsStorage'}; ` +
      `cache ${host.settings.REDIS_URL ? 'Redis' : 'off (REDIS_URL unset)'}; ` +
      `telemetry ${isTelemetryStarted() ? 'Application Insights' : host.settings.APPLICATIONINSIGHTS_CONNECTION_STRING ? 'off (Application Insights did not start: see the warning)' : 'off (APPLICATIONINSIGHTS_CONNECTION_STRING unset)'}; ` +
      `API ${host.baseUrl}/api; page ${host.baseUrl}/api/ui`,
  );
  const shutdown = async (code: number) => {
    await host.stop();
    await shutdownTelemetry();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(130));
  process.once('SIGTERM', () => void shutdown(143));
  const ok = args.scan ? await runFirstScan(host) : true;
  if (args.once) {
    await shutdown(ok ? 0 : 1);
    return;
  }
  console.log(
    `\nserving ${host.baseUrl}/api (scans, resources); scheduled scans on "${host.settings.SCAN_SCHEDULE}". Ctrl+C stops.`,
  );
  console.log(`  curl ${host.baseUrl}/api/resources?limit=5`);
  console.log(`  open ${host.baseUrl}/api/ui   (the page: graph, inventory, scans, changes)`);
  console.log(`  npm run topdeck -- --url ${host.baseUrl} status`);
}

main().catch((e) => {
  clearLive();
  console.error(`topdeck: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
