/** `npm run bench`: every benchmark, figures and ratios against their targets. */
import { main as policyOverhead } from './resilience/policyOverhead';
import { main as graphBench } from './graphBench';
import { main as scanBench } from './scanBench';
import { main as uiBench } from './uiBench';

async function run(): Promise<void> {
  const scan = await scanBench();
  const policy = await policyOverhead();
  const graph = await graphBench();
  const page = await uiBench();
  const ok = scan.pass && (policy as { pass?: boolean }).pass !== false && graph.pass && page.pass;
  console.log(`\nbenchmarks: ${ok ? 'all targets met' : 'some targets missed (see FAIL above)'}`);
}

run().catch((e) => {
  console.error(e);
  process.exit(1);
});
