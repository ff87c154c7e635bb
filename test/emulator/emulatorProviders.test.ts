import { ResourceManagementClient } from '@azure/arm-resources';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startArmEmulator, type ArmEmulator } from '../../src/emulator/index';
import { EMULATOR_PROVIDERS } from '../../src/emulator/providers/emulatorProviders';

const credential = {
  getToken: async () => ({ token: 'test', expiresOnTimestamp: Date.now() + 3600_000 }),
};

describe('the emulator provider list', () => {
  let emulator: ArmEmulator;
  beforeAll(async () => {
    emulator = await startArmEmulator({ seed: 3, subscriptionCount: 1, vmsPerSubscription: 12 });
  });
  afterAll(async () => {
    await emulator?.close();
  });

  it('names each namespace once', () => {
    const names = EMULATOR_PROVIDERS.map((p) => p.namespace.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it('has a provider serving every type the estate generates, under that type’s namespace', () => {
    const types = new Set(emulator.estate.subscriptions.flatMap((s) => s.resources.map((r) => r.type)));
    expect(types.size).toBeGreaterThan(10);
    for (const type of types) {
      const namespace = type.split('/')[0]?.toLowerCase();
      const provider = EMULATOR_PROVIDERS.find((p) => p.namespace.toLowerCase() === namespace);
      expect(
        provider?.types?.map((t) => t.toLowerCase()),
        type,
      ).toContain(type.toLowerCase());
    }
  });

  it('answers the provider registration list in the list’s order, through the SDK', async () => {
    const sub = emulator.estate.subscriptions[0]?.subscriptionId ?? '';
    const client = new ResourceManagementClient(credential, sub, {
      endpoint: emulator.endpoint,
      tlsOptions: { ca: emulator.caPem },
    });
    const seen: string[] = [];
    for await (const p of client.providers.list()) seen.push(p.namespace ?? '');
    expect(seen).toEqual(EMULATOR_PROVIDERS.map((p) => p.namespace));
    const compute = await client.providers.get('microsoft.compute');
    expect(compute.namespace).toBe('Microsoft.Compute');
    // the module's own descriptions, then every other type the generic routes serve
    expect(compute.resourceTypes?.map((t) => t.resourceType)).toEqual([
      'virtualMachines',
      'locations/vmSizes',
      'disks',
      'virtualMachineScaleSets',
    ]);
    // each with API versions, so a type without a dedicated reader can be read by id
    for (const p of EMULATOR_PROVIDERS.filter((x) => x.types?.length)) {
      const answer = await client.providers.get(p.namespace);
      for (const type of p.types ?? []) {
        const entry = answer.resourceTypes?.find(
          (t) => `${p.namespace}/${t.resourceType}`.toLowerCase() === type.toLowerCase(),
        );
        expect(entry?.apiVersions?.length, type).toBeGreaterThan(0);
      }
    }
  });
});
