/**
 * `npm run bench`: every benchmark, figures and ratios against their targets; non-zero when one is
 * missed. Each part runs in a process of its own, exactly as `node dist/bench/<part>.js` runs it
 * alone: in one shared process the parts after the durability scans (41,386 resources, Azurite
 * in-process) ran beside the 2.5 GB that process had grown to.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

/** Runs one part; true when it met its targets (exit code 0). */
function part(file: string, args: string[] = []): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, file), ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal) console.log(`  ${file} ended by ${signal}`);
      resolve(code === 0);
    });
  });
}

async function run(): Promise<void> {
  // BENCH_SIZES=10000 skips the 100,000-resource memory run (slow on a shared machine).
  const sizes = (process.env.BENCH_SIZES ?? '')
    .split(',')
    .map(Number)
    .filter((n) => n > 0)
    .map(String);
  const results = {
    scan: await part('scanBench.js', sizes),
    policy: await part('resilience/policyOverhead.js'),
    durability: await part('durabilityBench.js'),
    graph: await part('graphBench.js'),
    devops: await part('devopsBench.js'),
    kubernetes: await part('kubernetesBench.js'),
    page: await part('uiBench.js'),
    inventory: await part('inventoryBench.js'),
    freshness: await part('freshnessBench.js'),
  };
  const missed = Object.entries(results)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  console.log(
    `\nbenchmarks: ${missed.length ? `some targets missed (see FAIL above): ${missed.join(', ')}` : 'all targets met'}`,
  );
  process.exit(missed.length ? 1 : 0);
}

run().catch((e) => {
  console.error(e);
  process.exit(1);
});
