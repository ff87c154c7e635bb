import https from 'node:https';
import type { TokenCredential } from '@azure/identity';
import { createDevOpsResilience, type DevOpsResilience } from '../../src/devops/createDevOpsResilience';
import { DevOpsClient, type DevOpsAuth } from '../../src/devops/DevOpsClient';
import type { DevOpsEmulator } from '../../src/emulator/devops';
import { createLogger } from '../../src/telemetry/logger';

export interface TestClientOptions {
  pat?: string;
  credential?: TokenCredential;
  callsPerMinute?: number;
  windowMs?: number;
  redisUrl?: string;
  redisTimeoutMs?: number;
}

/** A real DevOpsClient with the platform's policies, aimed at the HTTPS look-alike. */
export function devopsTestClient(
  emulator: DevOpsEmulator,
  o: TestClientOptions = {},
): { client: DevOpsClient; resilience: DevOpsResilience; close(): Promise<void> } {
  const resilience = createDevOpsResilience({
    organization: emulator.organization,
    callsPerMinute: o.callsPerMinute ?? 100_000,
    windowMs: o.windowMs,
    redisUrl: o.redisUrl,
    redisTimeoutMs: o.redisTimeoutMs,
    logger: createLogger('devops-test'),
    retry: { initialDelayMs: 20, maxDelayMs: 5_000 },
  });
  const agent = new https.Agent({ ca: emulator.caPem, keepAlive: true });
  const auth: DevOpsAuth = o.credential
    ? { kind: 'entra', credential: o.credential }
    : { kind: 'pat', pat: o.pat ?? 'test-pat' };
  const client = new DevOpsClient({
    baseUrl: emulator.baseUrl,
    organization: emulator.organization,
    auth,
    stack: resilience.stack,
    budget: resilience.budget,
    agent,
  });
  return {
    client,
    resilience,
    close: async () => {
      agent.destroy();
      await resilience.close();
    },
  };
}
