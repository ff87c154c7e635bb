/**
 * Starts the ARM emulator for manual use and prints one JSON line:
 *   node dist/src/emulator/cli.js --vms 1000 --subscriptions 2 --latency 50 --port 8443
 * Stops on SIGINT/SIGTERM.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_SUBSCRIPTIONS, vmsForTotal } from './estate';
import { startArmEmulator, writeCaBundle, type ArmEmulatorOptions } from './index';

const USAGE = `usage: cli [--resources N | --vms N] [--vm-only] [--subscriptions N] [--seed N] [--page-size N] [--latency MS]
           [--throttle-rate 0..1] [--error-rate 0..1] [--retry-after S] [--host H] [--port P]`;

function parseArgs(argv: readonly string[]): ArmEmulatorOptions {
  const options: ArmEmulatorOptions = {};
  let resources: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (arg === '--vm-only') {
      options.connected = false;
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
    const num = (): number => {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new Error(`${flag}: '${value}' is not a number`);
      return n;
    };
    switch (flag) {
      case '--vms':
        options.vmsPerSubscription = num();
        break;
      case '--resources':
        resources = num();
        break;
      case '--subscriptions':
        options.subscriptionCount = num();
        break;
      case '--seed':
        options.seed = num();
        break;
      case '--page-size':
        options.pageSize = num();
        break;
      case '--latency':
        options.latencyMs = num();
        break;
      case '--throttle-rate':
        options.throttleRate = num();
        break;
      case '--error-rate':
        options.errorRate = num();
        break;
      case '--retry-after':
        options.retryAfterSeconds = num();
        break;
      case '--host':
        options.host = value;
        break;
      case '--port':
        options.port = num();
        break;
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  // about N resources in all: VMs per subscription from the connected estate's make-up
  if (resources !== undefined)
    options.vmsPerSubscription = vmsForTotal(resources, options.subscriptionCount ?? DEFAULT_SUBSCRIPTIONS);
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const emulator = await startArmEmulator(options);
  const caBundle = writeCaBundle(emulator.caPem);
  console.log(
    JSON.stringify({
      endpoint: emulator.endpoint,
      caFile: emulator.caFile,
      caBundle,
      subscriptionIds: emulator.estate.subscriptions.map((s) => s.subscriptionId),
      vms: emulator.estate.totalVms,
      resources: emulator.estate.totalResources,
      // resources per subscription and type: what a scan's planning sees
      counts: Object.fromEntries(
        emulator.estate.subscriptions.map((s) => {
          const m: Record<string, number> = {};
          if (s.vms.length) m['Microsoft.Compute/virtualMachines'] = s.vms.length;
          for (const r of s.resources) m[r.type] = (m[r.type] ?? 0) + 1;
          return [s.subscriptionId, m];
        }),
      ),
    }),
  );
  const stop = (): void => {
    fs.rmSync(path.dirname(caBundle), { recursive: true, force: true });
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
