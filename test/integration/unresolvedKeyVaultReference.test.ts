import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedLogs, startTestHost, type TestHost } from '../support/localHost';

/**
 * What App Service hands the app when a Key Vault reference does not resolve: the reference text
 * itself. The whole start path (settings, services, the local runtime) must come up with the
 * cache and Azure DevOps off, warn once per setting, and scan as usual.
 */
describe('start-up with unresolved Key Vault references (REDIS_URL, AZURE_DEVOPS_PAT)', () => {
  let host: TestHost;
  const before = capturedLogs.length;

  beforeAll(async () => {
    host = await startTestHost({
      emulator: { subscriptionCount: 1, connected: false, vmsPerSubscription: 30, pageSize: 20 },
      env: {
        REDIS_URL: '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/redis-url)',
        AZURE_DEVOPS_ORG: 'contoso',
        AZURE_DEVOPS_PAT:
          '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/azure-devops-pat)',
      },
    });
  });
  afterAll(async () => host?.stop());

  it('starts with no cache and Azure DevOps off, one warning per setting, and scans', async () => {
    expect(host.services.cache.enabled).toBe(false);
    expect(host.settings.REDIS_URL).toBeUndefined();
    expect(host.settings.AZURE_DEVOPS_PAT).toBeUndefined();
    expect(host.settings.AZURE_DEVOPS_ORG).toBeUndefined();

    const warnings = capturedLogs
      .slice(before)
      .map((line) => JSON.parse(line) as { level: string; message: string; setting?: string })
      .filter((entry) => entry.level === 'warn' && /could not resolve/.test(entry.message));
    expect(warnings.map((w) => w.setting).sort()).toEqual(['AZURE_DEVOPS_PAT', 'REDIS_URL']);

    const started = await host.api<{ scanId: string }>('POST', '/api/scans');
    expect(started.status).toBe(202);
    const scan = await host.waitForScan(started.body.scanId);
    expect(scan.status).toBe('completed');
    expect(scan.counts.resources).toBe(30);
    // The reference text never reaches a log line as a value that was used.
    expect(capturedLogs.slice(before).join('\n')).not.toContain('SecretUri=');
  });
});
