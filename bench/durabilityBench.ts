/**
 * What durability costs `npm start`: the same demo scan with Azurite in memory (nothing saved),
 * on disk with Azurite's own 5-second autosave (what `npm start` did before; a kill loses up to
 * 5 s), and on disk with the ordered checkpoints (a save before each HTTP write is answered and
 * before handled messages are deleted, grouped, at most one a second otherwise). Reports wall
 * time and the checkpoint's own figures: saves per scan and milliseconds spent saving.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TERMINAL_SCAN } from '../src/scan/ScanRecords';
import { startLocal } from '../src/runtime/startLocal';
import { setLogSink } from '../src/telemetry/logger';

interface Run {
  mode: 'memory' | 'autosave' | 'checkpoints';
  vms: number;
  wallMs: number;
  resources: number;
  saves: number;
  saveMs: number;
  maxSaveMs: number;
}

async function scanOnce(mode: Run['mode'], vmsPerSubscription: number): Promise<Run> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-durability-'));
  const host = await startLocal({
    env: { PORT: '0', PATH: process.env.PATH },
    memory: mode === 'memory',
    durableStorage: mode === 'checkpoints',
    dataDir,
    demo: { subscriptionCount: 2, vmsPerSubscription, pageSize: 100, latencyMs: 50 },
    timers: false,
  });
  try {
    const started = performance.now();
    const scan = await host.services.scans.startScan({ trigger: 'local' });
    await host.flush();
    for (;;) {
      const view = await host.services.scansApi.get(scan.scanId);
      if (TERMINAL_SCAN.includes(view.status)) {
        const wallMs = performance.now() - started;
        const stats = host.azurite?.checkpoint?.stats ?? { saves: 0, totalMs: 0, maxMs: 0 };
        return {
          mode,
          vms: vmsPerSubscription * 2,
          wallMs,
          resources: view.counts.resources,
          saves: stats.saves,
          saveMs: stats.totalMs,
          maxSaveMs: stats.maxMs,
        };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await host.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function main(): Promise<{ pass: boolean }> {
  setLogSink(() => undefined);
  console.log(
    '\ndurability: the same scan, Azurite in memory / on disk with its 5 s autosave / on disk with checkpoints',
  );
  for (const [vms, repeats] of [
    [500, Number(process.env.DURABILITY_REPEATS ?? 3)],
    [5000, 1],
  ] as const) {
    const runs: Run[] = [];
    for (let i = 0; i < repeats; i++) {
      runs.push(await scanOnce('memory', vms));
      runs.push(await scanOnce('autosave', vms));
      runs.push(await scanOnce('checkpoints', vms));
    }
    const mem = runs.filter((r) => r.mode === 'memory');
    const auto = runs.filter((r) => r.mode === 'autosave');
    const disk = runs.filter((r) => r.mode === 'checkpoints');
    const fmt = (n: number) => n.toFixed(0);
    const wall = (rs: Run[]) => median(rs.map((r) => r.wallMs));
    console.log(
      `  ${vms * 2} VMs (${repeats} run(s) each): memory ${mem.map((r) => fmt(r.wallMs)).join('/')} ms; ` +
        `autosave ${auto.map((r) => fmt(r.wallMs)).join('/')} ms; ` +
        `checkpoints ${disk.map((r) => fmt(r.wallMs)).join('/')} ms; ` +
        `checkpoints cost ${fmt(wall(disk) - wall(auto))} ms a scan over autosave, ${fmt(wall(disk) - wall(mem))} ms over memory (medians); ` +
        `saves a scan ${disk.map((r) => r.saves).join('/')}, time saving ${disk.map((r) => fmt(r.saveMs)).join('/')} ms ` +
        `(longest save ${fmt(Math.max(...disk.map((r) => r.maxSaveMs)))} ms); ` +
        `resources ${[...new Set(runs.map((r) => r.resources))].join('/')}`,
    );
  }
  return { pass: true };
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
