/**
 * One benchmark scan in its own process, so its peak RSS is TopDeck's alone: storage
 * (Azurite) and the Resource Manager emulator run in other processes. Prints one JSON line.
 * Env: AzureWebJobsStorage, TOPDECK_ARM_ENDPOINT, TOPDECK_ARM_TOKEN, NODE_EXTRA_CA_CERTS.
 */
import { TERMINAL_SCAN } from '../src/scan/ScanRecords';
import { startLocal } from '../src/runtime/startLocal';
import fs from 'node:fs';
import { setLogLevel, setLogSink } from '../src/telemetry/logger';

/** Live heap once garbage is collected (needs --expose-gc; else the current heap). */
function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
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
  const host = await startLocal({ env: { ...process.env, PORT: '0' }, timers: false });
  const peak = { heapTotal: 0, external: 0, arrayBuffers: 0 };
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal);
    peak.external = Math.max(peak.external, m.external);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
  }, 50);
  const started = Date.now();
  const scan = await host.services.scans.startScan({ trigger: 'local' });
  let view = await host.services.scansApi.get(scan.scanId);
  while (!TERMINAL_SCAN.includes(view.status)) {
    await new Promise((r) => setTimeout(r, 20));
    view = await host.services.scansApi.get(scan.scanId);
  }
  const wallMs = Date.now() - started;
  const result = {
    status: view.status,
    resources: view.counts.resources,
    pages: view.pages,
    apiCalls: host.services.arm.stats().apiCalls,
    wallMs,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedAfterGcBytes: heapAfterGc(),
    peakHeapTotalBytes: peak.heapTotal,
    peakExternalBytes: peak.external,
  };
  clearInterval(sampler);
  await host.stop();
  console.log(JSON.stringify(result));
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
