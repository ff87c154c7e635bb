/**
 * Scan benchmark: the emulator estate at 1,000 and 10,000 VMs (2 subscriptions, page size
 * 100, 50 ms latency). Storage (Azurite) and the emulator run in their own processes; the
 * scan runs in a third, whose peak RSS is reported. Lower bound: the longest chain of
 * sequential page calls (one subscription's pages; the power-state listing pages alongside)
 * times the latency.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { freePort, isPortOpen } from '../src/runtime/freePort';

const root = path.resolve(__dirname, '../..');
const LATENCY_MS = 50;
const PAGE_SIZE = 100;
const SUBSCRIPTIONS = 2;

interface ScanFigures {
  status: string;
  resources: number;
  pages: number;
  apiCalls: number;
  wallMs: number;
  peakRssBytes: number;
  heapUsedAfterGcBytes: number;
  peakHeapTotalBytes: number;
  peakExternalBytes: number;
}

function firstJsonLine(child: ChildProcess, what: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += String(d)));
    rl.on('line', (line) => {
      if (line.trim().startsWith('{')) resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', (code) =>
      reject(new Error(`${what} exited with ${code} before reporting: ${stderr.slice(-2000)}`)),
    );
  });
}

export async function startAzuriteProcess(): Promise<{ connectionString: string; stop(): void }> {
  const queuePort = await freePort();
  const tablePort = await freePort();
  const common = [
    '--inMemoryPersistence',
    '--silent',
    '--disableTelemetry',
    '--skipApiVersionCheck',
    '--loose',
  ];
  const bin = (name: string) => path.join(root, 'node_modules/azurite/dist/src', name, 'main.js');
  const queue = spawn(
    process.execPath,
    [bin('queue'), ...common, '--queueHost', '127.0.0.1', '--queuePort', String(queuePort)],
    { stdio: 'ignore' },
  );
  const table = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_PROFILE
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE + '/table']
        : []),
      bin('table'),
      ...common,
      '--tableHost',
      '127.0.0.1',
      '--tablePort',
      String(tablePort),
    ],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 200 && !((await isPortOpen(queuePort)) && (await isPortOpen(tablePort))); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  // The emulator account's well-known key, read from Azurite itself rather than written here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const common2 = require('azurite/dist/src/common/utils/constants');
  const key = (common2.EMULATOR_ACCOUNT_KEY as Buffer).toString('base64');
  const account = common2.EMULATOR_ACCOUNT_NAME as string;
  return {
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${key};` +
      `QueueEndpoint=http://127.0.0.1:${queuePort}/${account};TableEndpoint=http://127.0.0.1:${tablePort}/${account};`,
    stop: () => {
      queue.kill('SIGINT');
      table.kill('SIGINT');
    },
  };
}

async function runOnce(
  vmsTotal: number,
  workerNodeOptions?: string,
): Promise<ScanFigures & { lowerBoundMs: number }> {
  const azurite = await startAzuriteProcess();
  const emulatorProc = spawn(
    process.execPath,
    [
      path.join(root, 'dist/src/emulator/cli.js'),
      '--vms',
      String(vmsTotal / SUBSCRIPTIONS),
      '--subscriptions',
      String(SUBSCRIPTIONS),
      '--page-size',
      String(PAGE_SIZE),
      '--latency',
      String(LATENCY_MS),
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const emulator = (await firstJsonLine(emulatorProc, 'emulator')) as {
      endpoint: string;
      caBundle: string;
    };
    const profile = process.env.BENCH_PROFILE
      ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE + '/worker']
      : [];
    const worker = spawn(
      process.execPath,
      [...profile, '--expose-gc', path.join(root, 'dist/bench/scanWorker.js')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          AzureWebJobsStorage: azurite.connectionString,
          TOPDECK_ARM_ENDPOINT: emulator.endpoint,
          TOPDECK_ARM_TOKEN: 'bench-token',
          ...(workerNodeOptions ? { NODE_OPTIONS: workerNodeOptions } : {}),
          NODE_EXTRA_CA_CERTS: emulator.caBundle,
          ...(process.env.BENCH_LOG ? { BENCH_LOG: `${process.env.BENCH_LOG}.${vmsTotal}` } : {}),
        },
      },
    );
    const figures = (await firstJsonLine(worker, 'scan worker')) as unknown as ScanFigures;
    const lowerBoundMs = Math.ceil(vmsTotal / SUBSCRIPTIONS / PAGE_SIZE) * LATENCY_MS;
    return { ...figures, lowerBoundMs };
  } finally {
    emulatorProc.kill();
    azurite.stop();
  }
}

export interface ScanBenchResult {
  rows: Array<ScanFigures & { vms: number; lowerBoundMs: number; ratio: number }>;
  rssRatio: number;
  cappedRssRatio: number;
  pass: boolean;
}

/**
 * V8 grows its heap lazily when allocation is fast, so peak RSS also measures V8's appetite, not
 * only what the scan keeps alive. The same scans with the old space capped at this size (MB) show
 * what TopDeck needs: if the RSS stays flat there, memory does not grow with the estate.
 */
const CAPPED_OLD_SPACE_MB = 96;

type Row = ScanBenchResult['rows'][number];

function printRows(title: string, rows: Row[]): void {
  const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
  console.log(title);
  console.log(
    '  VMs     status     pages  API calls  wall (s)  lower bound (s)  wall/lower  peak RSS (MB)  peak heap (MB)  heap after GC (MB)',
  );
  for (const r of rows) {
    console.log(
      `  ${String(r.vms).padEnd(7)} ${r.status.padEnd(10)} ${String(r.pages).padStart(5)}  ${String(r.apiCalls).padStart(9)}  ${(r.wallMs / 1000).toFixed(2).padStart(8)}  ${(r.lowerBoundMs / 1000).toFixed(2).padStart(15)}  ${r.ratio.toFixed(2).padStart(10)}  ${mb(r.peakRssBytes).padStart(13)}  ${mb(r.peakHeapTotalBytes).padStart(14)}  ${mb(r.heapUsedAfterGcBytes).padStart(18)}`,
    );
  }
}

async function runSizes(sizes: number[], workerNodeOptions?: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const vms of sizes) {
    const r = await runOnce(vms, workerNodeOptions);
    rows.push({ ...r, vms, ratio: r.wallMs / r.lowerBoundMs });
  }
  return rows;
}

const rssRatioOf = (rows: Row[]): number => {
  const small = rows[0];
  const large = rows[rows.length - 1];
  return small && large ? large.peakRssBytes / small.peakRssBytes : NaN;
};

export async function main(sizes = [1000, 10000]): Promise<ScanBenchResult> {
  const rows = await runSizes(sizes);
  const capped = await runSizes(sizes, `--max-old-space-size=${CAPPED_OLD_SPACE_MB}`);
  printRows(
    '\nScan benchmark: 2 subscriptions, page size 100, 50 ms latency per Resource Manager call',
    rows,
  );
  printRows(
    `  the same with the V8 old space capped at ${CAPPED_OLD_SPACE_MB} MB (--max-old-space-size)`,
    capped,
  );
  const large = rows[rows.length - 1];
  const small = rows[0];
  const rssRatio = rssRatioOf(rows);
  const cappedRssRatio = rssRatioOf(capped);
  const ratioOk = (large?.ratio ?? Infinity) <= 1.5;
  const rssOk = rssRatio <= 1.3;
  console.log(
    `  target wall/lower bound <= 1.5 at ${large?.vms}: ${large?.ratio.toFixed(2)} ${ratioOk ? 'PASS' : 'FAIL'}`,
  );
  console.log(
    `  target peak RSS ${large?.vms} / ${small?.vms} <= 1.3: ${rssRatio.toFixed(2)} ${rssOk ? 'PASS' : 'FAIL'}; with the heap capped: ${cappedRssRatio.toFixed(2)} ${cappedRssRatio <= 1.3 ? 'PASS' : 'FAIL'}`,
  );
  return {
    rows,
    rssRatio,
    cappedRssRatio,
    pass: ratioOk && rssOk && [...rows, ...capped].every((r) => r.status === 'completed'),
  };
}

if (require.main === module) {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  main(sizes.length ? sizes : undefined).then(
    (r) => process.exit(r.pass ? 0 : 1),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
