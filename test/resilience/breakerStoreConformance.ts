import { describe, expect, it } from 'vitest';
import type { BreakerStateStore } from '../../src/resilience/BreakerStateStore';

/**
 * The contract every BreakerStateStore keeps, run against each implementation (in-process,
 * Redis). `makeStore` is called per test; names are unique per test so stores may be shared.
 */
export function describeBreakerStoreConformance(label: string, makeStore: () => BreakerStateStore): void {
  let n = 0;
  const fresh = (): { store: BreakerStateStore; name: string } => ({
    store: makeStore(),
    name: `conformance:${label}:${Date.now()}:${n++}`,
  });
  const now = 1_700_000_000_000;

  describe(`BreakerStateStore conformance: ${label}`, () => {
    it('reads an unknown breaker as closed with no failures', async () => {
      const { store, name } = fresh();
      await expect(store.read(name)).resolves.toEqual({ failures: 0, openedUntil: 0 });
    });

    it('counts failures and opens exactly once at the threshold', async () => {
      const { store, name } = fresh();
      const results = [];
      for (let i = 0; i < 4; i++)
        results.push(await store.recordFailure(name, { threshold: 3, recoveryMs: 1000, now }));
      expect(results.map((r) => [r.failures, r.opened])).toEqual([
        [1, false],
        [2, false],
        [3, true],
        [4, false],
      ]);
      expect(results[2]?.openedUntil).toBe(now + 1000);
      await expect(store.read(name)).resolves.toEqual({ failures: 4, openedUntil: now + 1000 });
    });

    it('opens once whatever the number of concurrent failures', async () => {
      const { store, name } = fresh();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.recordFailure(name, { threshold: 3, recoveryMs: 1000, now })),
      );
      expect(results.filter((r) => r.opened)).toHaveLength(1);
    });

    it('success clears failures, the open state and the probe lease', async () => {
      const { store, name } = fresh();
      await store.recordFailure(name, { threshold: 1, recoveryMs: 1000, now });
      expect(await store.acquireProbe(name, { leaseMs: 60_000, now: now + 1000 })).toBe(true);
      await store.recordSuccess(name);
      await expect(store.read(name)).resolves.toEqual({ failures: 0, openedUntil: 0 });
      expect(await store.acquireProbe(name, { leaseMs: 60_000, now: now + 1000 })).toBe(true);
    });

    it('grants the probe lease to exactly one of many concurrent callers', async () => {
      const { store, name } = fresh();
      const grants = await Promise.all(
        Array.from({ length: 10 }, () => store.acquireProbe(name, { leaseMs: 60_000, now })),
      );
      expect(grants.filter(Boolean)).toHaveLength(1);
    });

    it('reopen sets the new openedUntil and releases the lease', async () => {
      const { store, name } = fresh();
      await store.recordFailure(name, { threshold: 1, recoveryMs: 1000, now });
      expect(await store.acquireProbe(name, { leaseMs: 60_000, now })).toBe(true);
      await store.reopen(name, now + 5000);
      await expect(store.read(name)).resolves.toMatchObject({ openedUntil: now + 5000 });
      expect(await store.acquireProbe(name, { leaseMs: 60_000, now })).toBe(true);
    });

    it('keeps breakers apart by name', async () => {
      const { store, name } = fresh();
      await store.recordFailure(name, { threshold: 1, recoveryMs: 1000, now });
      await expect(store.read(`${name}-other`)).resolves.toEqual({ failures: 0, openedUntil: 0 });
    });
  });
}
