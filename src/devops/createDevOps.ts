import https from 'node:https';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { RedisTokenAuthOptions } from '../cache/redisTokenAuth';
import type { Settings } from '../config/settings';
import type { Tables } from '../storage/tables';
import type { Logger } from '../telemetry/logger';
import { createDevOpsResilience } from './createDevOpsResilience';
import { DevOpsClient } from './DevOpsClient';
import { DevOpsScanExtension } from './DevOpsScanExtension';

export interface DevOpsOptions {
  /** Trust for a look-alike with a self-signed certificate. */
  caPem?: string;
  /** The Entra credential used when no PAT is set (tests pass a fake; never DefaultAzureCredential there). */
  credential?: TokenCredential;
  /** The budget's window in milliseconds (60 000; scaled down in tests and benchmarks). */
  windowMs?: number;
  /** Entra ID for Redis (REDIS_CREDENTIAL): the one the cache and the Resource Manager budget use. */
  redisTokenAuth?: Pick<RedisTokenAuthOptions, 'credential' | 'scope'>;
}

export interface DevOps {
  client: DevOpsClient;
  extension: DevOpsScanExtension;
  close(): Promise<void>;
}

/** Azure DevOps discovery from settings; undefined when AZURE_DEVOPS_ORG is not set (DevOps off). */
export function createDevOps(
  settings: Settings,
  tables: Tables,
  logger: Logger,
  options: DevOpsOptions = {},
): DevOps | undefined {
  const organization = settings.AZURE_DEVOPS_ORG;
  if (!organization) return undefined;
  const resilience = createDevOpsResilience({
    organization,
    callsPerMinute: settings.AZURE_DEVOPS_CALLS_PER_MINUTE,
    windowMs: options.windowMs,
    redisUrl: settings.REDIS_URL,
    ...(options.redisTokenAuth ? { redisTokenAuth: options.redisTokenAuth } : {}),
    logger,
  });
  const agent = new https.Agent({ keepAlive: true, ...(options.caPem ? { ca: options.caPem } : {}) });
  const client = new DevOpsClient({
    baseUrl: settings.AZURE_DEVOPS_BASE_URL,
    organization,
    auth: settings.AZURE_DEVOPS_PAT
      ? { kind: 'pat', pat: settings.AZURE_DEVOPS_PAT }
      : {
          kind: 'entra',
          credential:
            options.credential ??
            new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID }),
        },
    stack: resilience.stack,
    budget: resilience.budget,
    agent,
  });
  const projects = (settings.AZURE_DEVOPS_PROJECT ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const extension = new DevOpsScanExtension({
    client,
    tables,
    projects,
    commitCount: settings.AZURE_DEVOPS_COMMIT_COUNT,
    logger,
  });
  return {
    client,
    extension,
    close: async () => {
      agent.destroy();
      await resilience.close();
    },
  };
}
