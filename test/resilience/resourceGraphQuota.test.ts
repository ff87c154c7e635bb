import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArmResilience, type ArmResilience } from '../../src/app/armResilience';
import { createArmClients, staticTokenCredential, type ArmClients } from '../../src/discovery/armClients';
import { startArmEmulator, type ArmEmulator } from '../../src/emulator';
import { parseQuotaRemaining, parseQuotaResetMs } from '../../src/resilience/resourceGraphQuota';
import { createLogger } from '../../src/telemetry/logger';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] });

describe('Resource Graph quota headers', () => {
  it.each([
    ['00:00:03', 3000],
    ['00:01:02.5', 62_500],
    ['01:00:00', 3_600_000],
    ['3', undefined],
    ['', undefined],
  ])('x-ms-user-quota-resets-after %s = %s ms', (raw, ms) => {
    expect(parseQuotaResetMs(headers({ 'x-ms-user-quota-resets-after': raw }))).toBe(ms);
  });

  it('reads x-ms-user-quota-remaining', () => {
    expect(parseQuotaRemaining(headers({ 'x-ms-user-quota-remaining': '14' }))).toBe(14);
    expect(parseQuotaRemaining(headers({}))).toBeUndefined();
  });
});

describe('Resource Graph through the shared budget (HTTPS emulator, real SDK client)', () => {
  let emulator: ArmEmulator;
  let resilience: ArmResilience;
  let arm: ArmClients;

  beforeAll(async () => {
    // a tight quota and small pages, so that a few queries meet both
    emulator = await startArmEmulator({
      subscriptionCount: 3,
      vmsPerSubscription: 2,
      graphQuota: { queries: 3, windowMs: 1000 },
      graphPageSize: 25,
    });
    resilience = createArmResilience(undefined, createLogger('test'));
    arm = createArmClients({
      endpoint: emulator.endpoint,
      credential: staticTokenCredential('t'),
      caPem: emulator.caPem,
      additionalPolicies: resilience.policies,
    });
  });
  afterAll(async () => {
    await resilience?.close();
    await emulator?.close();
  });

  it('follows $skipToken over many pages and counts every type of every subscription', async () => {
    emulator.resetStats();
    const subs = emulator.estate.subscriptions.map((s) => s.subscriptionId.toLowerCase());
    const counts = await arm.resourceTypeCounts(subs);
    const expected = new Map<string, Map<string, number>>();
    for (const s of emulator.estate.subscriptions) {
      const m = new Map<string, number>();
      for (const r of [
        ...s.vms.map(() => 'microsoft.compute/virtualmachines'),
        ...s.resources.map((r) => r.type.toLowerCase()),
      ])
        m.set(r, (m.get(r) ?? 0) + 1);
      expected.set(s.subscriptionId.toLowerCase(), m);
    }
    expect(counts).toEqual(expected);
    const pairs = [...expected.values()].reduce((n, m) => n + m.size, 0);
    expect(emulator.stats().byRoute['resourceGraph.query']).toBeGreaterThanOrEqual(Math.ceil(pairs / 25));
    expect(Math.ceil(pairs / 25)).toBeGreaterThan(1);
  });

  it('a 429 waits for x-ms-user-quota-resets-after and is retried, so every query is answered', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // a fresh quota window
    emulator.resetStats();
    const subs = [emulator.estate.subscriptions[0]?.subscriptionId.toLowerCase() as string];
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => arm.resourceTypeCounts(subs)));
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(answers[0]?.get(subs[0] as string)?.size).toBeGreaterThan(0);
    const stats = emulator.stats();
    // one page per query; the quota allowed 3 of the 5 at first: the rest were refused, waited
    // for the reset the header named, and were answered then
    expect(stats.byStatus['429']).toBeGreaterThanOrEqual(2);
    expect(stats.byStatus['200']).toBe(5);
  });
});
