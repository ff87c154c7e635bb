/** `npm run bench`: every benchmark, figures and ratios against their targets; non-zero when one is missed. */
import { main as devopsBench } from './devopsBench';
import { main as durabilityBench } from './durabilityBench';
import { main as graphBench } from './graphBench';
import { main as policyOverhead, print as printPolicy } from './resilience/policyOverhead';
import { main as scanBench } from './scanBench';
import { main as uiBench } from './uiBench';

async function run(): Promise<void> {
  // BENCH_SIZES=10000 skips the 100,000-resource memory run (slow on a shared machine).
  const sizes = (process.env.BENCH_SIZES ?? '')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const scan = await scanBench(sizes.length ? sizes : undefined);
  const policy = await policyOverhead();
  printPolicy(policy);
  await durabilityBench();
  const graph = await graphBench();
  const devops = await devopsBench();
  const page = await uiBench();
  const ok = scan.pass && policy.pass && graph.pass && devops.pass && page.pass;
  console.log(`\nbenchmarks: ${ok ? 'all targets met' : 'some targets missed (see FAIL above)'}`);
  process.exit(ok ? 0 : 1);
}

run().catch((e) => {
  console.error(e);
  process.exit(1);
});
