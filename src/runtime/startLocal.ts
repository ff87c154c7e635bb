import fs from 'node:fs';
import path from 'node:path';
import { createServices, type Services } from '../app/Services';
import { loadSettings, type Settings } from '../config/settings';
import type { ArmEmulator, ArmEmulatorOptions } from '../emulator';
import { RESOURCE_EVENTS_QUEUE } from '../events/ResourceEvent';
import { startDevOpsEmulator, type DevOpsEmulator, type DevOpsEmulatorOptions } from '../emulator/devops';
import { createLogger, type Logger } from '../telemetry/logger';
import { runWithTraceparent } from '../telemetry/traceContext';
import { startAzurite, type RunningAzurite } from './azurite';
import { createFunctionDefinitions } from './definitions';
import { startDemoEmulator } from './startDemoEmulator';
import { freePort, isPortOpen } from './freePort';
import { loadHostConfig, type HostConfig } from './hostConfig';
import { LocalRuntime } from './LocalRuntime';

export interface StartLocalOptions {
  /** Environment to read settings from (default process.env); not modified. */
  env?: Record<string, string | undefined>;
  /** Scan real Azure with DefaultAzureCredential even if no subscription is named. */
  azure?: boolean;
  /** Keep Azurite's data in memory instead of under dataDir. */
  memory?: boolean;
  /** Folder for Azurite data and logs (default .topdeck in the cwd). */
  dataDir?: string;
  /** Demo estate knobs (used when no Azure is configured). */
  demo?: ArmEmulatorOptions;
  /** Use this emulator instead of starting one (tests). */
  emulator?: ArmEmulator;
  /**
   * The demo's Azure DevOps look-alike (started and scanned when no AZURE_DEVOPS_ORG is set):
   * its knobs, or false for none. `npm start` turns it on; off by default here.
   */
  devopsDemo?: DevOpsEmulatorOptions | false;
  /** Use this Azure DevOps look-alike (tests); its organisation is scanned with any PAT. */
  devopsEmulator?: DevOpsEmulator;
  /** Fire timers (default true). */
  timers?: boolean;
  host?: Partial<HostConfig>;
  /** false: keep Azurite's own 5-second autosave instead of the checkpoints (benchmarks compare). */
  durableStorage?: boolean;
  /** The local message lease, in milliseconds (default DEFAULT_MESSAGE_LEASE_MS). */
  messageLeaseMs?: number;
  logger?: Logger;
}

export interface LocalHost {
  settings: Settings;
  services: Services;
  runtime: LocalRuntime;
  azurite?: RunningAzurite;
  emulator?: ArmEmulator;
  devopsEmulator?: DevOpsEmulator;
  /** Which estate is scanned. */
  estate: 'demo' | 'azure';
  baseUrl: string;
  /** Makes every write so far survive a kill (a no-op for in-memory or Azure storage). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/** True when the settings point at real Azure (or any Resource Manager look-alike). */
function wantsAzure(env: Record<string, string | undefined>, flag: boolean): boolean {
  return flag || Boolean(env.AZURE_SUBSCRIPTION_IDS?.trim()) || Boolean(env.TOPDECK_ARM_ENDPOINT?.trim());
}

/**
 * Everything `npm start` needs, on one machine: Azurite in-process (when storage is local),
 * the demo Resource Manager emulator (when no Azure is configured), Redis when REDIS_URL
 * answers, and the local Functions runtime hosting the same definitions as Azure.
 */
export async function startLocal(options: StartLocalOptions = {}): Promise<LocalHost> {
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env) };
  const logger = options.logger ?? createLogger('local');
  const dataDir = options.dataDir ?? path.resolve('.topdeck');
  const stops: Array<() => Promise<void>> = [];
  try {
    let azurite: RunningAzurite | undefined;
    const storage = env.AzureWebJobsStorage?.trim();
    if (!storage || /^UseDevelopmentStorage=true;?$/i.test(storage)) {
      azurite = await startAzurite({
        location: options.memory ? undefined : path.join(dataDir, 'azurite'),
        durable: options.durableStorage,
        onSaveError: (e) => logger.error('could not save the local store', { error: e.message }),
      });
      stops.push(() => (azurite as RunningAzurite).close());
      env.AzureWebJobsStorage = azurite.connectionString;
    }

    const estate = wantsAzure(env, Boolean(options.azure)) ? 'azure' : 'demo';
    let emulator = options.emulator;
    if (estate === 'demo') {
      if (!emulator) {
        emulator = await startDemoEmulator(
          { latencyMs: 20, ...options.demo },
          options.memory ? undefined : path.join(dataDir, 'demo-emulator.json'),
          logger,
        );
        const started = emulator;
        stops.push(() => started.close());
      }
      env.TOPDECK_ARM_ENDPOINT = emulator.endpoint;
      env.TOPDECK_ARM_TOKEN = 'demo-emulator-token';
    }

    let devopsEmulator = options.devopsEmulator;
    if (!devopsEmulator && estate === 'demo' && options.devopsDemo && !env.AZURE_DEVOPS_ORG?.trim()) {
      devopsEmulator = await startDevOpsEmulator({ latencyMs: 20, ...options.devopsDemo });
      const started = devopsEmulator;
      stops.push(() => started.close());
    }
    if (devopsEmulator) {
      env.AZURE_DEVOPS_ORG = devopsEmulator.organization;
      env.AZURE_DEVOPS_BASE_URL = devopsEmulator.baseUrl;
      env.AZURE_DEVOPS_PAT ??= 'demo-emulator-pat';
    }

    const explicitPort = env.PORT?.trim();
    const settings = loadSettings(env);
    let port = settings.PORT;
    if (!explicitPort && (await isPortOpen(port))) port = await freePort();

    // The runtime is built after the services it hosts; enqueues wake its pollers once it exists.
    const wake: { runtime?: LocalRuntime } = {};
    // Start-up calls (creating tables and queues) as one operation of their own in App Insights.
    const services = await runWithTraceparent(
      undefined,
      'localStartup',
      () =>
        createServices({
          settings,
          armCaPem: emulator?.caPem,
          devops: devopsEmulator ? { caPem: devopsEmulator.caPem } : undefined,
          onEnqueue: (q) => wake.runtime?.wake(q),
          logger: createLogger('topdeck'),
        }),
      { kind: 'request' },
    );
    stops.push(() => services.close());
    // The demo estate's own changes arrive as Event Grid delivers Azure's: base64 JSON, an array.
    if (emulator) {
      const unsubscribe = emulator.onResourceEvents((events) =>
        services.queues.send(RESOURCE_EVENTS_QUEUE, events),
      );
      stops.push(async () => unsubscribe());
    }
    if (services.cache.enabled && !(await services.cache.ping())) {
      logger.warn('REDIS_URL does not answer; running without a cache until it does');
    }
    const host = { ...loadHostConfig(), ...options.host };
    const services$ = Promise.resolve(services);
    const runtime = new LocalRuntime({
      definitions: createFunctionDefinitions(() => services$),
      queueService: services.queueService,
      host,
      port,
      resolveSetting: (name) => (name === 'SCAN_SCHEDULE' ? settings.SCAN_SCHEDULE : env[name]),
      timers: options.timers,
      messageLeaseMs: options.messageLeaseMs,
      checkpoint: azurite?.checkpoint,
    });
    wake.runtime = runtime;
    const started = await runtime.start();
    stops.push(() => runtime.stop());
    if (!options.memory) fs.mkdirSync(dataDir, { recursive: true });
    return {
      settings,
      services,
      runtime,
      azurite,
      emulator,
      devopsEmulator,
      estate,
      baseUrl: `http://127.0.0.1:${started.port}`,
      flush: async () => {
        await azurite?.checkpoint?.flush(true);
      },
      stop: async () => {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
      },
    };
  } catch (e) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw e;
  }
}
