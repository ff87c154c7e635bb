import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArmClients, staticTokenCredential, type ArmClients } from '../../src/discovery/armClients';
import type { Discoverer, ListingContext } from '../../src/discovery/Discoverer';
import { DISCOVERERS } from '../../src/discovery/registry';
import type { DiscoveredItem } from '../../src/discovery/Resource';
import { startArmEmulator, type ArmEmulator, type ArmEmulatorOptions } from '../../src/emulator';
import { classifyError } from '../../src/errors/classifyError';
import { describeFailure } from '../../src/scan/describeFailure';
import { fetchJoinedPage } from '../../src/scan/fetchJoinedPage';
import type { PageMessage } from '../../src/scan/messages';

/**
 * ONE conformance suite that every registered discoverer runs, against the HTTPS emulator with
 * the real Azure SDK clients: paging, example bodies, empty lists, extra and missing fields,
 * transient vs permanent errors, an unregistered provider, the resource group filter.
 */

/** The type a task of this discoverer lists (the generic listing: a type with no discoverer). */
function taskType(d: Discoverer): string {
  return d.generic ? 'Microsoft.Insights/components' : d.type;
}

/** The request path a listing of this discoverer starts with (for fault rules). */
function listPath(d: Discoverer): RegExp {
  if (d.generic) return /\/resources$/;
  if (d.type === 'Microsoft.Sql/servers/databases') return /\/servers$/;
  return new RegExp(`/${d.type.split('/').pop() as string}$`, 'i');
}

function clients(emulator: ArmEmulator): ArmClients {
  return createArmClients({
    endpoint: emulator.endpoint,
    credential: staticTokenCredential('conformance'),
    caPem: emulator.caPem,
    maxRetries: 0,
  });
}

/** Every item of one (subscription, type[, resource group]) task, page by page as the scan does. */
async function listAll(
  d: Discoverer,
  arm: ArmClients,
  subscriptionId: string,
  resourceGroup?: string,
): Promise<{ items: DiscoveredItem[]; pages: number; skipped: number; stateOnly: DiscoveredItem[] }> {
  const ctx: Omit<ListingContext, 'continuationToken'> = {
    subscriptionId,
    resourceType: taskType(d),
    arm,
    ...(resourceGroup ? { resourceGroup } : {}),
  };
  let msg = { page: 1 } as PageMessage;
  const items: DiscoveredItem[] = [];
  const stateOnly: DiscoveredItem[] = [];
  let skipped = 0;
  for (;;) {
    const page = await fetchJoinedPage(d, ctx, msg);
    items.push(...page.items);
    stateOnly.push(...page.stateOnly);
    skipped += page.skipped.length;
    if (!page.next) return { items, pages: msg.page, skipped, stateOnly };
    msg = { ...msg, ...page.next, page: msg.page + 1 };
  }
}

/** Ids the estate holds of a type in a subscription (lower-case). */
function expectedIds(
  emulator: ArmEmulator,
  type: string,
  subIndex: number,
  resourceGroup?: string,
): string[] {
  const sub = emulator.estate.subscriptions[subIndex];
  if (!sub) return [];
  const inRg = (rg: string) => !resourceGroup || rg.toLowerCase() === resourceGroup.toLowerCase();
  const ids =
    type === 'Microsoft.Compute/virtualMachines'
      ? sub.vms.filter((v) => inRg(v.resourceGroup)).map((v) => v.id)
      : sub.resources
          .filter((r) => r.type.toLowerCase() === type.toLowerCase() && inRg(r.resourceGroup))
          .map((r) => r.id);
  return ids.map((i) => i.toLowerCase()).sort();
}

const ids = (items: DiscoveredItem[]) => items.map((i) => i.id.toLowerCase()).sort();

async function withEmulator<T>(options: ArmEmulatorOptions, fn: (e: ArmEmulator) => Promise<T>): Promise<T> {
  const emulator = await startArmEmulator({ latencyMs: 0, ...options });
  try {
    return await fn(emulator);
  } finally {
    await emulator.close();
  }
}

describe('discoverer conformance (every registered discoverer)', () => {
  let emulator: ArmEmulator;
  let arm: ArmClients;

  beforeAll(async () => {
    emulator = await startArmEmulator({ seed: 11, vmsPerSubscription: 8, pageSize: 2, latencyMs: 0 });
    arm = clients(emulator);
  });
  afterAll(async () => emulator?.close());

  describe.each(DISCOVERERS.map((d) => [d.slug, d] as const))('%s', (_slug, d) => {
    const type = taskType(d);
    /** a subscription holding the type (AKS is absent where its provider is unregistered) */
    const subIndex = (): number =>
      emulator.estate.subscriptions.findIndex((_, i) => expectedIds(emulator, type, i).length > 0);

    it('pages across pages and returns exactly the estate, each once, in the canonical type', async () => {
      const i = subIndex();
      const sub = emulator.estate.subscriptions[i]?.subscriptionId as string;
      const result = await listAll(d, arm, sub);
      const expected = expectedIds(emulator, type, i);
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(result.items)).toEqual(expected);
      // a state listing (VM power states) only ever adds state to listed resources
      for (const s of result.stateOnly) expect(expected).toContain(s.id.toLowerCase());
      expect(result.skipped).toBe(0);
      // Cosmos DB's account list is one page in Azure; SQL databases page by server
      if (expected.length > 2 && d.slug !== 'cosmosdb' && d.slug !== 'sqldatabases')
        expect(result.pages).toBeGreaterThan(1);
      for (const item of result.items) {
        expect(item.type.toLowerCase()).toBe(type.toLowerCase());
        if (!d.generic) expect(item.type).toBe(d.type);
        expect(item.name).toBe(item.id.split('/').pop());
        expect(item.location).toMatch(/^[a-z0-9]+$/);
        expect(Object.keys(item.properties).length).toBeGreaterThan(0);
      }
    });

    it('answers an empty list with no items and no continuation', async () => {
      await withEmulator({ connected: false, vmsPerSubscription: 0, subscriptionCount: 1 }, async (empty) => {
        const sub = empty.estate.subscriptions[0]?.subscriptionId as string;
        const result = await listAll(d, clients(empty), sub);
        expect(result).toEqual({ items: [], pages: 1, skipped: 0, stateOnly: [] });
      });
    });

    it('ignores unknown extra fields', async () => {
      const sub = emulator.estate.subscriptions[subIndex()]?.subscriptionId as string;
      const plain = await listAll(d, arm, sub);
      const extra = (b: Record<string, unknown>) => ({
        ...b,
        surprise: { nested: [1, 2, 3] },
        properties: { ...((b.properties as object) ?? {}), brandNewField: 'x', anotherOne: { deep: true } },
      });
      emulator.driftVm(/./, extra);
      emulator.driftResources(/./, extra);
      try {
        const drifted = await listAll(d, arm, sub);
        expect(drifted.items.map((i) => [i.id, i.properties])).toEqual(
          plain.items.map((i) => [i.id, i.properties]),
        );
      } finally {
        emulator.driftVm(undefined);
        emulator.driftResources(undefined);
      }
    });

    it('tolerates missing optional fields: no name, type, tags, nor anything optional in properties', async () => {
      const i = subIndex();
      const sub = emulator.estate.subscriptions[i]?.subscriptionId as string;
      // Only what the API marks required stays (a vault's sku and tenantId: the SDK needs them).
      const bare = (b: Record<string, unknown>) => {
        const p = (b.properties ?? {}) as Record<string, unknown>;
        const required = type === 'Microsoft.KeyVault/vaults' ? { sku: p.sku, tenantId: p.tenantId } : {};
        return { id: b.id, location: b.location, properties: required };
      };
      emulator.driftVm(/./, bare);
      emulator.driftResources(/./, bare);
      try {
        const result = await listAll(d, arm, sub);
        expect(ids(result.items)).toEqual(expectedIds(emulator, type, i));
        for (const item of result.items) {
          expect(item.name).toBe(item.id.split('/').pop());
          expect(item.tags).toEqual({});
        }
      } finally {
        emulator.driftVm(undefined);
        emulator.driftResources(undefined);
      }
    });

    it.each([
      [503, true],
      [403, false],
    ])('a %i is transient=%s', async (status, transient) => {
      const sub = emulator.estate.subscriptions[subIndex()]?.subscriptionId as string;
      emulator.addFault({ path: listPath(d), status, times: 1 });
      try {
        const error = await listAll(d, arm, sub).then(
          () => undefined,
          (e: unknown) => classifyError(e, 'listing'),
        );
        expect(error?.statusCode).toBe(status);
        expect(error?.transient).toBe(transient);
      } finally {
        emulator.clearFaults();
      }
    });

    it('an unregistered provider skips the task (the generic list simply has none of it)', async () => {
      const namespace = type.split('/')[0] as string;
      await withEmulator(
        { seed: 11, vmsPerSubscription: 3, subscriptionCount: 1, unregisteredProviders: [namespace] },
        async (e) => {
          const sub = e.estate.subscriptions[0]?.subscriptionId as string;
          const outcome = await listAll(d, clients(e), sub).then(
            (r) => r,
            (err: unknown) => classifyError(err, 'listing'),
          );
          if (d.generic) {
            expect(outcome).toMatchObject({ items: [] });
          } else {
            expect(outcome).toMatchObject({ code: 'MissingSubscriptionRegistration', statusCode: 409 });
            const failure = describeFailure(outcome as never, { subscriptionId: sub, resourceType: type });
            expect(failure.kind).toBe('skip');
          }
        },
      );
    });

    it('applies the resource group filter (any casing)', async () => {
      const i = subIndex();
      const sub = emulator.estate.subscriptions[i];
      const rg = sub?.resourceGroups.find((g) => expectedIds(emulator, type, i, g.name).length > 0);
      expect(rg).toBeDefined();
      const result = await listAll(d, arm, sub?.subscriptionId as string, rg?.name.toUpperCase());
      expect(ids(result.items)).toEqual(expectedIds(emulator, type, i, rg?.name));
      expect(ids(result.items).length).toBeLessThan(expectedIds(emulator, type, i).length + 1);
    });
  });
});
