import { sdk } from './sdk';
import { ComputeManagementClient } from '@azure/arm-compute';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import type { AdditionalPolicyConfig, CommonClientOptions } from '@azure/core-client';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { DefaultAzureCredential, type AccessToken, type TokenCredential } from '@azure/identity';
import type { Settings } from '../config/settings';
import { graphRowsQuery } from './graphRowsQuery';

/**
 * Resource Manager clients, built in ONE place so that every client shares the same
 * endpoint, retry options (the only retry layer around an SDK call) and policies.
 */
/** Any `@azure/arm-*` management client: (credential, subscriptionId, options). */
export type ArmClientConstructor<T> = new (
  credential: TokenCredential,
  subscriptionId: string,
  options?: ServiceClientOptionsLike,
) => T;

/** The options every ARM client is built with (endpoint, retry, policies, TLS). */
export type ServiceClientOptionsLike = CommonClientOptions & { endpoint?: string };

export interface ArmClients {
  compute(subscriptionId: string): ComputeManagementClient;
  /** One client per (SDK, subscription), memoised, built with the shared options. */
  client<T>(ctor: ArmClientConstructor<T>, subscriptionId: string): T;
  /**
   * Resource counts by (subscription, lower-case type) from ONE Resource Graph query, so a scan
   * lists only the types that exist. Resource Graph lags changes by under 30 s.
   */
  resourceTypeCounts(
    subscriptionIds: string[],
    resourceGroup?: string,
  ): Promise<Map<string, Map<string, number>>>;
  /**
   * One `$skipToken` page of the Resource Graph rows of the given types (graphRowsQuery.ts), up to
   * 1,000 rows a page, with the time Graph answered (its `date` header, else the local clock).
   */
  resourceGraphRows(request: {
    types: string[];
    subscriptionIds: string[];
    resourceGroup?: string;
    skipToken?: string;
  }): Promise<{ rows: Array<Record<string, unknown>>; skipToken?: string; answeredAt: string }>;
  stats(): ArmCallStats;
  listSubscriptionIds(): Promise<string[]>;
  /** Memoised per process and location (not per subscription): VM sizes, keyed by lower-case size name. */
  vmSizes(
    subscriptionId: string,
    location: string,
  ): Promise<Map<string, { cores: number; memoryMB: number; maxDataDisks: number }>>;
}

export interface ArmClientOptions {
  endpoint: string;
  credential: TokenCredential;
  /** The SDK's own retry: 3 retries, honours Retry-After. The one retry layer per call. */
  maxRetries?: number;
  additionalPolicies?: AdditionalPolicyConfig[];
  /** Extra CA (an emulator's self-signed certificate); NODE_EXTRA_CA_CERTS works too. */
  caPem?: string;
}

export function staticTokenCredential(token: string): TokenCredential {
  return {
    getToken: async (): Promise<AccessToken> => ({ token, expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}

export function credentialFromSettings(settings: Settings): TokenCredential {
  return settings.TOPDECK_ARM_TOKEN
    ? staticTokenCredential(settings.TOPDECK_ARM_TOKEN)
    : new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID });
}

export interface ArmCallStats {
  /** HTTP attempts sent to Resource Manager, retries included. */
  apiCalls: number;
  throttled: number;
  serverErrors: number;
}

export function createArmClients(options: ArmClientOptions): ArmClients {
  const stats: ArmCallStats = { apiCalls: 0, throttled: 0, serverErrors: 0 };
  const counter: PipelinePolicy = {
    name: 'topdeckArmCallCounter',
    async sendRequest(request, next) {
      stats.apiCalls++;
      const response = await next(request);
      if (response.status === 429) stats.throttled++;
      else if (response.status >= 500) stats.serverErrors++;
      return response;
    },
  };
  const common = {
    endpoint: options.endpoint,
    retryOptions: { maxRetries: options.maxRetries ?? 3 },
    additionalPolicies: [
      { policy: counter, position: 'perRetry' as const },
      ...(options.additionalPolicies ?? []),
    ],
    ...(options.caPem ? { tlsOptions: { ca: options.caPem } } : {}),
    userAgentOptions: { userAgentPrefix: 'topdeck/0.1' },
  };
  const computeClients = new Map<string, ComputeManagementClient>();
  const sizeCache = new Map<
    string,
    Promise<Map<string, { cores: number; memoryMB: number; maxDataDisks: number }>>
  >();
  const compute = (subscriptionId: string): ComputeManagementClient => {
    let c = computeClients.get(subscriptionId);
    if (!c) {
      c = new ComputeManagementClient(options.credential, subscriptionId, common);
      computeClients.set(subscriptionId, c);
    }
    return c;
  };
  const clients = new Map<unknown, Map<string, unknown>>();
  const client = <T>(ctor: ArmClientConstructor<T>, subscriptionId: string): T => {
    let bySub = clients.get(ctor);
    if (!bySub) clients.set(ctor, (bySub = new Map()));
    let c = bySub.get(subscriptionId) as T | undefined;
    if (!c) {
      c = new ctor(options.credential, subscriptionId, common);
      bySub.set(subscriptionId, c);
    }
    return c;
  };
  return {
    compute,
    client,
    stats: () => ({ ...stats }),
    async resourceTypeCounts(subscriptionIds, resourceGroup) {
      const { ResourceGraphClient } = sdk.resourceGraph();
      const graph = new ResourceGraphClient(options.credential, common);
      const rg = resourceGroup ? `| where resourceGroup =~ '${resourceGroup.replace(/'/g, "''")}' ` : '';
      const query = `Resources ${rg}| summarize count_=count() by subscriptionId, type=tolower(type)`;
      const counts = new Map<string, Map<string, number>>();
      // A summarize over a few hundred (subscription, type) pairs fits one page; follow skip tokens anyway.
      let skipToken: string | undefined;
      do {
        const answer = await graph.resources({
          query,
          subscriptions: subscriptionIds,
          options: { resultFormat: 'objectArray', ...(skipToken ? { skipToken } : {}) },
        });
        // The SDK's mapper types `data` as a dictionary: an object array arrives keyed "0", "1", ...
        const data = (answer.data ?? {}) as unknown;
        const rows = (Array.isArray(data) ? data : Object.values(data as object)) as Array<
          Record<string, unknown>
        >;
        for (const row of rows) {
          const sub = String(row.subscriptionId ?? '').toLowerCase();
          const type = String(row.type ?? '').toLowerCase();
          if (!sub || !type) continue;
          let m = counts.get(sub);
          if (!m) counts.set(sub, (m = new Map()));
          m.set(type, (m.get(type) ?? 0) + Number(row.count_ ?? 0));
        }
        skipToken = answer.skipToken || undefined;
      } while (skipToken);
      return counts;
    },
    async resourceGraphRows(request) {
      const { ResourceGraphClient } = sdk.resourceGraph();
      const graph = new ResourceGraphClient(options.credential, common);
      let answeredAt: string | undefined;
      const answer = await graph.resources(
        {
          query: graphRowsQuery(request.types, request.subscriptionIds, request.resourceGroup),
          subscriptions: request.subscriptionIds,
          options: {
            resultFormat: 'objectArray',
            ...(request.skipToken ? { skipToken: request.skipToken } : {}),
          },
        },
        {
          onResponse: (raw) => {
            const date = Date.parse(raw.headers.get('date') ?? '');
            if (Number.isFinite(date)) answeredAt = new Date(date).toISOString();
          },
        },
      );
      // The SDK's mapper types `data` as a dictionary: an object array arrives keyed "0", "1", ...
      const data = (answer.data ?? {}) as unknown;
      const rows = (Array.isArray(data) ? data : Object.values(data as object)) as Array<
        Record<string, unknown>
      >;
      return {
        rows,
        ...(answer.skipToken ? { skipToken: answer.skipToken } : {}),
        answeredAt: answeredAt ?? new Date().toISOString(),
      };
    },
    async listSubscriptionIds() {
      const client = new SubscriptionClient(options.credential, common);
      const ids: string[] = [];
      for await (const s of client.subscriptions.list()) {
        if (s.subscriptionId && (s.state ?? 'Enabled') !== 'Disabled')
          ids.push(s.subscriptionId.toLowerCase());
      }
      return ids;
    },
    vmSizes(subscriptionId, location) {
      // A location's size list is the same in every subscription: read once per location, with
      // the first subscription that asks (300 subscriptions in one region: one read, not 300).
      const key = location.toLowerCase();
      let p = sizeCache.get(key);
      if (!p) {
        p = (async () => {
          const map = new Map<string, { cores: number; memoryMB: number; maxDataDisks: number }>();
          for await (const s of compute(subscriptionId).virtualMachineSizes.list(location)) {
            if (s.name) {
              map.set(s.name.toLowerCase(), {
                cores: s.numberOfCores ?? 0,
                memoryMB: s.memoryInMB ?? 0,
                maxDataDisks: s.maxDataDiskCount ?? 0,
              });
            }
          }
          return map;
        })();
        // A failed look-up is not remembered: the next page tries again.
        p.catch(() => sizeCache.delete(key));
        sizeCache.set(key, p);
      }
      return p;
    },
  };
}
