/**
 * Dependency benchmark: detection time and retained memory for 10,000 and 50,000 resources
 * (target: linear in resources + edges, under 2 s for 10,000), and the Table writes of an
 * unchanged re-scan of 10,000 resources (target: at most 1 per 100 resources).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const worker = path.join(__dirname, 'graphWorker.js');

function runWorker(args: string[]): Promise<Record<string, number | string>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', worker, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as Record<string, number | string>);
      else reject(new Error(`graph worker ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

interface DetectFigures {
  resources: number;
  edges: number;
  ms: number;
  retainedBytes: number;
}

export async function main(): Promise<{ pass: boolean }> {
  console.log(
    '\nDependency benchmark: detection over a synthetic connected estate (16-resource units, 3 subscriptions)',
  );
  console.log('  resources  edges    time (ms)  µs per (resource+edge)  retained heap (MB)');
  const rows: Array<DetectFigures & { per: number }> = [];
  for (const n of [10_000, 50_000]) {
    const r = (await runWorker(['detect', String(n)])) as unknown as DetectFigures;
    const per = (r.ms * 1000) / (r.resources + r.edges);
    rows.push({ ...r, per });
    console.log(
      `  ${String(r.resources).padStart(9)}  ${String(r.edges).padStart(6)}  ${r.ms.toFixed(0).padStart(10)}  ${per.toFixed(2).padStart(22)}  ${(r.retainedBytes / 1048576).toFixed(1).padStart(18)}`,
    );
  }
  const [small, large] = rows as [DetectFigures & { per: number }, DetectFigures & { per: number }];
  const linearity = large.per / small.per;
  const fastOk = small.ms < 2000;
  const linearOk = linearity <= 1.5;
  console.log(`  target under 2 s at 10,000: ${small.ms.toFixed(0)} ms ${fastOk ? 'PASS' : 'FAIL'}`);
  console.log(
    `  target linear: time per (resource+edge) at 50,000 / at 10,000 = ${linearity.toFixed(2)} (<= 1.5) ${linearOk ? 'PASS' : 'FAIL'}`,
  );
  const re = await runWorker(['rescan', '10000']);
  const perHundred = (Number(re.resourceWrites) / Number(re.resources)) * 100;
  const rescanOk = re.status === 'completed' && perHundred <= 1;
  console.log(
    `  unchanged re-scan of ${re.resources} resources (connected demo estate): ${re.resourceWrites} resource-table writes over ${re.pages} pages = ${perHundred.toFixed(2)} per 100 resources (<= 1) ${rescanOk ? 'PASS' : 'FAIL'}`,
  );
  return { pass: fastOk && linearOk && rescanOk };
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
