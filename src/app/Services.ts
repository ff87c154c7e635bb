// First: functions/index.ts imports this module before any Azure SDK client loads, and
// Application Insights only auto-collects HTTP of modules loaded after it starts.
import '../telemetry/preload';
import type { TokenCredential } from '@azure/identity';
import type { QueueServiceClient } from '@azure/storage-queue';
import { ResourcesApi, RESOURCES_CACHE_NAMESPACE } from '../api/ResourcesApi';
import { ChangesApi } from '../api/ChangesApi';
import { DependenciesApi } from '../api/DependenciesApi';
import { ScansApi } from '../api/ScansApi';
import { ChangeLog } from '../changes/ChangeLog';
import { DependencyStore } from '../dependencies/DependencyStore';
import { updateDependencies } from '../dependencies/updateDependencies';
import { DevOpsApi } from '../api/DevOpsApi';
import { createDevOps, type DevOps, type DevOpsOptions } from '../devops/createDevOps';
import { createKubernetes } from '../kubernetes/createKubernetes';
import { entityToApplication } from '../devops/devopsEntities';
import { createCache, type Cache } from '../cache/Cache';
import type { Settings } from '../config/settings';
import { createArmClients, credentialFromSettings, type ArmClients } from '../discovery/armClients';
import { NodeIndexCache } from '../dependencies/NodeIndexCache';
import { EventRefresher } from '../events/EventRefresher';
import { ResourceEventsConsumer } from '../events/ResourceEventsConsumer';
import { ScanService } from '../scan/ScanService';
import { ScanStore } from '../scan/ScanStore';
import { createQueueSender, createQueueServiceClient, type QueueSender } from '../storage/queues';
import { createTables, ensureTables, type Tables } from '../storage/tables';
import { operationRecorder, startTelemetry } from '../telemetry/appInsights';
import { callCountingPolicies } from '../telemetry/callCounts';
import { createLogger, type Logger } from '../telemetry/logger';
import { registerSecret } from '../telemetry/redact';
import { allQueueNames } from './allQueueNames';
import { createArmResilience } from './armResilience';
import { connectCoordinationRedis } from '../cache/coordinationRedis';
import { redisTokenAuthFromSettings } from './redisTokenAuthFromSettings';
import { storageAccessFromSettings } from './storageAccess';

export interface ServicesOptions {
  settings: Settings;
  /** Replaces the Resource Manager clients (tests). */
  arm?: ArmClients;
  /** Extra CA for Resource Manager look-alikes with self-signed certificates. */
  armCaPem?: string;
  /** Told of every message this process enqueues (the local runtime wakes that queue's poller). */
  onEnqueue?: (queueName: string) => void;
  /** Azure DevOps look-alike trust, a fake Entra credential, a scaled budget window (tests). */
  devops?: DevOpsOptions;
  logger?: Logger;
  /** The credential AKS tokens come from (tests); the settings' credential by default. */
  kubernetesCredential?: TokenCredential;
}

export interface Services {
  settings: Settings;
  logger: Logger;
  tables: Tables;
  queueService: QueueServiceClient;
  queues: QueueSender & { ensureQueue(name: string): Promise<void> };
  cache: Cache;
  arm: ArmClients;
  store: ScanStore;
  scans: ScanService;
  scansApi: ScansApi;
  resourcesApi: ResourcesApi;
  dependenciesApi: DependenciesApi;
  changesApi: ChangesApi;
  /** Absent when AZURE_DEVOPS_ORG is not set. */
  devops?: DevOps;
  devopsApi: DevOpsApi;
  /** The `resource-events` queue's work: Azure's resource events refresh what changed. */
  resourceEvents: ResourceEventsConsumer;
  close(): Promise<void>;
}

/** The composition root: every dependency built once from settings and passed in. */
export async function createServices(options: ServicesOptions): Promise<Services> {
  const { settings } = options;
  const logger = options.logger ?? createLogger('topdeck');
  // Normally already started by the entry point's preload (before http loads); idempotent.
  startTelemetry(settings);
  registerSecret(settings.AZURE_DEVOPS_PAT);
  registerSecret(settings.TOPDECK_ARM_TOKEN);
  const access = storageAccessFromSettings(settings);
  const tables = createTables(access);
  const queueService = createQueueServiceClient(access);
  const queues = createQueueSender(queueService, options.onEnqueue);
  await ensureTables(access, tables);
  await Promise.all(allQueueNames().map((q) => queues.ensureQueue(q)));

  const redisTokenAuth = redisTokenAuthFromSettings(settings);
  const cache = createCache({
    url: settings.REDIS_URL,
    logger: logger.child({ component: 'cache' }),
    ...(redisTokenAuth ? { tokenAuth: redisTokenAuth } : {}),
  });
  const armResilience = createArmResilience(
    settings.REDIS_URL,
    logger.child({ component: 'arm' }),
    redisTokenAuth,
  );
  const arm =
    options.arm ??
    createArmClients({
      endpoint: settings.TOPDECK_ARM_ENDPOINT,
      credential: credentialFromSettings(settings),
      caPem: options.armCaPem,
      additionalPolicies: [...callCountingPolicies(), ...armResilience.policies],
    });
  const store = new ScanStore(tables.scans, tables.scantasks);
  const dependencyStore = new DependencyStore(tables.dependencies);
  if (await dependencyStore.upgradeLayout())
    logger.info('dependency graph rewritten in the current key layout');
  const applications = async () => {
    const out = [];
    for await (const e of tables.applications.listEntities()) out.push(entityToApplication(e));
    return out;
  };
  const changeLog = new ChangeLog(tables.changes, () => store.listScans(Number.MAX_SAFE_INTEGER));
  const devops = createDevOps(settings, tables, logger.child({ component: 'devops' }), {
    ...options.devops,
    ...(redisTokenAuth ? { redisTokenAuth } : {}),
  });
  const kubernetes = createKubernetes({
    arm,
    credential: options.kubernetesCredential ?? credentialFromSettings(settings),
    resources: tables.resources,
    changes: changeLog,
    store,
    logger: logger.child({ component: 'kubernetes' }),
    ...(settings.REDIS_URL ? { redisUrl: settings.REDIS_URL } : {}),
    ...(redisTokenAuth ? { redisTokenAuth } : {}),
  });
  const nodeIndex = new NodeIndexCache(tables.resources);
  const scans = new ScanService({
    store,
    tables,
    queues,
    arm,
    logger: logger.child({ component: 'scan' }),
    defaults: {
      subscriptionIds: settings.AZURE_SUBSCRIPTION_IDS,
      resourceGroup: settings.AZURE_RESOURCE_GROUP,
      watchdogMinutes: settings.TOPDECK_WATCHDOG_MINUTES,
      inventorySource: settings.TOPDECK_INVENTORY_SOURCE,
    },
    changeLog,
    dependencies: (scanId, at, options) =>
      updateDependencies(
        {
          resources: tables.resources,
          applications,
          store: dependencyStore,
          changes: changeLog,
          heuristics: settings.TOPDECK_HEURISTIC_EDGES,
          ...options,
          progress: (step, counts) => logger.debug(step, { component: 'scan', scanId, ...counts }),
        },
        scanId,
        at,
      ),
    onScanFinalized: async () => {
      nodeIndex.renew();
      await cache.bumpVersion(RESOURCES_CACHE_NAMESPACE);
    },
    metrics: operationRecorder,
    extensions: [...(devops ? [devops.extension] : []), kubernetes.extension],
  });
  // Resource events' duplicates and bursts, recognised across instances (else per process).
  const eventsRedis = connectCoordinationRedis(settings.REDIS_URL, redisTokenAuth);
  const refresher = new EventRefresher({
    ...(eventsRedis.redis ? { redis: eventsRedis.redis } : {}),
    tables,
    arm,
    changeLog,
    dependencies: dependencyStore,
    nodes: nodeIndex,
    invalidate: async () => {
      await cache.bumpVersion(RESOURCES_CACHE_NAMESPACE);
    },
    logger: logger.child({ component: 'events' }),
    metrics: operationRecorder,
  });
  const dependenciesApi = new DependenciesApi(dependencyStore, tables.resources, cache, applications);
  return {
    settings,
    logger,
    tables,
    queueService,
    queues,
    cache,
    arm,
    store,
    scans,
    scansApi: new ScansApi(scans, store),
    resourcesApi: new ResourcesApi(tables.resources, cache, {
      coverage: () => store.listCoverage(),
      dependencies: (id) => dependenciesApi.of(id),
    }),
    dependenciesApi,
    changesApi: new ChangesApi(changeLog, cache),
    devops,
    devopsApi: new DevOpsApi(tables, settings.AZURE_DEVOPS_ORG),
    resourceEvents: new ResourceEventsConsumer(
      refresher,
      logger.child({ component: 'events' }),
      operationRecorder,
    ),
    close: async () => {
      eventsRedis.close();
      await Promise.all([cache.close(), armResilience.close(), devops?.close(), kubernetes.close()]);
    },
  };
}
