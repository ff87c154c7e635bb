/**
 * One measurement of the dependency benchmark in a process of its own (run with --expose-gc),
 * printed as one JSON line:
 *   detect N   dependency detection over a synthetic estate of N resources: time and live heap;
 *   rescan N   two scans of the connected demo estate at about N resources through the local
 *              runtime: Table writes of the second (unchanged) scan.
 */
import { detectDependencies } from '../src/dependencies/detectDependencies';
import { ResourceIndex } from '../src/dependencies/ResourceIndex';
import { startArmEmulator } from '../src/emulator';
import { DEFAULT_SUBSCRIPTIONS, vmsForTotal } from '../src/emulator/estate';
import { startLocal } from '../src/runtime/startLocal';
import { setLogSink } from '../src/telemetry/logger';
import { countEntityWrites } from './countRequests';
import { syntheticEstate } from './syntheticEstate';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function detect(n: number): Record<string, number> {
  const resources = syntheticEstate(n);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const index = new ResourceIndex(resources);
  const edges = detectDependencies(index);
  const ms = performance.now() - t0;
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  return { resources: resources.length, edges: edges.length, ms, retainedBytes: heapAfter - heapBefore };
}

async function rescan(total: number): Promise<Record<string, number | string>> {
  setLogSink(() => undefined);
  // The connected demo estate at about `total` resources over 3 subscriptions.
  const emulator = await startArmEmulator({
    latencyMs: 0,
    subscriptionCount: DEFAULT_SUBSCRIPTIONS,
    vmsPerSubscription: vmsForTotal(total, DEFAULT_SUBSCRIPTIONS),
    pageSize: 100,
  });
  const host = await startLocal({
    env: { PORT: '0', PATH: process.env.PATH },
    memory: true,
    emulator,
    timers: false,
  });
  try {
    const scan = async () => {
      const { scanId } = await host.services.scans.startScan({ trigger: 'local' });
      for (;;) {
        const view = await host.services.scansApi.get(scanId);
        if (['completed', 'partial', 'failed'].includes(view.status)) return view;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const first = await scan();
    const writes = countEntityWrites(host.services.tables.resources);
    const second = await scan();
    return {
      resources: second.counts.resources,
      firstStatus: first.status,
      status: second.status,
      pages: second.pages,
      resourceWrites: writes.count(),
    };
  } finally {
    await host.stop();
    await emulator.close();
  }
}

async function main(): Promise<void> {
  const [what, n] = [process.argv[2], Number(process.argv[3])];
  const result = what === 'detect' ? detect(n) : await rescan(n);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
