import type { TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import type { RedisTokenAuthOptions } from '../cache/redisTokenAuth';
import type { ChangeLog } from '../changes/ChangeLog';
import type { ArmClients } from '../discovery/armClients';
import type { ScanStore } from '../scan/ScanStore';
import type { Logger } from '../telemetry/logger';
import { createKubernetesResilience, type KubernetesResilience } from './createKubernetesResilience';
import { KubernetesScanExtension } from './KubernetesScanExtension';

export interface Kubernetes {
  extension: KubernetesScanExtension;
  resilience: KubernetesResilience;
  close(): Promise<void>;
}

/** Kubernetes inside the scan's AKS clusters, wired from the composition root. */
export function createKubernetes(options: {
  arm: ArmClients;
  credential: TokenCredential;
  resources: TableClient;
  changes: ChangeLog;
  store: ScanStore;
  logger: Logger;
  redisUrl?: string;
  redisTokenAuth?: Pick<RedisTokenAuthOptions, 'credential' | 'scope'>;
}): Kubernetes {
  const resilience = createKubernetesResilience({
    logger: options.logger,
    ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    ...(options.redisTokenAuth ? { redisTokenAuth: options.redisTokenAuth } : {}),
  });
  const extension = new KubernetesScanExtension({ ...options, resilience });
  return { extension, resilience, close: () => resilience.close() };
}
