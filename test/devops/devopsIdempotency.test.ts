import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../src/app/Services';
import { loadSettings } from '../../src/config/settings';
import { startArmEmulator, type ArmEmulator } from '../../src/emulator';
import { startDevOpsEmulator, type DevOpsEmulator } from '../../src/emulator/devops';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import { createFunctionDefinitions } from '../../src/runtime/definitions';
import { capturedLogs } from '../support/localHost';
import { pumpWithDuplicates, type QueueDef } from '../support/pumpWithDuplicates';

/** Every DevOps message delivered twice (a duplicate send) and once more (a redelivery). */
describe('idempotent Azure DevOps queue handlers', () => {
  let azurite: RunningAzurite;
  let arm: ArmEmulator;
  let devops: DevOpsEmulator;
  let services: Services;
  let defs: QueueDef[];

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    arm = await startArmEmulator({ subscriptionCount: 1, connected: false, vmsPerSubscription: 20 });
    devops = await startDevOpsEmulator({ projects: 2, repositories: 30, builds: 250 });
    services = await createServices({
      settings: loadSettings({
        AzureWebJobsStorage: azurite.connectionString,
        TOPDECK_ARM_ENDPOINT: arm.endpoint,
        TOPDECK_ARM_TOKEN: 'test-token',
        AZURE_DEVOPS_ORG: devops.organization,
        AZURE_DEVOPS_BASE_URL: devops.baseUrl,
        AZURE_DEVOPS_PAT: 'test-pat-value',
        AZURE_DEVOPS_CALLS_PER_MINUTE: '60000',
      }),
      armCaPem: arm.caPem,
      devops: { caPem: devops.caPem },
    });
    defs = createFunctionDefinitions(async () => services).filter((d): d is QueueDef => d.kind === 'queue');
  });
  afterAll(async () => {
    await services?.close();
    await devops?.close();
    await arm?.close();
    await azurite?.close();
  });

  it('gives the same tables, the tasks once each, and one finalize', async () => {
    const scan = await services.scans.startScan({ trigger: 'http' });
    const carried = await pumpWithDuplicates(services.queueService, defs);
    const view = await services.scansApi.get(scan.scanId);
    expect(view.status).toBe('completed');
    // 1 VM task, the project listing, 2 projects × 4 kinds: added once each.
    expect(view.tasks).toMatchObject({ total: 10, completed: 10, failed: 0 });
    expect(carried['finalize-scan']).toBe(1);
    expect(
      capturedLogs.filter((l) => l.includes('"scan finalized"') && l.includes(scan.scanId)),
    ).toHaveLength(1);
    // Builds: 125 a project at 100 a page.
    expect(carried['discover-devops-builds']).toBe(4);
    const count = async (table: keyof Services['tables']) => {
      let n = 0;
      for await (const _ of services.tables[table].listEntities()) n++;
      return n;
    };
    expect(await count('repositories')).toBe(30);
    expect(await count('pipelines')).toBe(30);
    expect(await count('deployments')).toBe(250);
    expect(await count('devopswatermarks')).toBe(2);
    const apps = await services.devopsApi.applications({ limit: '1000' });
    expect(apps.items.length).toBeGreaterThan(0);
    expect(new Set(apps.items.map((a) => a.key)).size).toBe(apps.items.length);
  });
});
