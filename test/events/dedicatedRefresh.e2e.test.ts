import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEDICATED, DISCOVERERS, findDedicated } from '../../src/discovery/registry';
import { readById } from '../../src/discovery/readById';
import { resourcePartitionKey, resourceRowKey } from '../../src/storage/keys';
import { getEntityOrUndefined } from '../../src/storage/tables';
import { startTestHost, type TestHost } from '../support/localHost';
import { rowContent, until, writeEvent as eventFor } from '../support/eventTests';

/**
 * Columns that say when, by whom and by which scan's step a row was written (`changeKind`: what
 * that scan found), not what Azure said about the resource.
 */
/** A resource of the demo estate, as the test reads and keys it. */
interface Target {
  id: string;
  type: string;
  subscriptionId: string;
  resourceGroup: string;
}

/** The per-item reads a type's listing adds after mapping, which its GET by id must add too. */
const EXTRAS: Record<string, (id: string) => string[]> = {
  'microsoft.web/sites': (id) => [
    `POST ${id}/config/appsettings/list`,
    `POST ${id}/config/connectionstrings/list`,
  ],
  'microsoft.servicebus/namespaces': (id) => [`GET ${id}/networkRuleSets/default`],
};

describe('every discoverer reads one resource by id without a listing', () => {
  it('the registry has no discoverer without getById', () => {
    expect(DISCOVERERS.filter((d) => typeof d.getById !== 'function').map((d) => d.type)).toEqual([]);
  });
});

// the scan the rows are compared with reads Resource Graph (auto) or every type's own listing (arm)
describe.each(['auto', 'arm'])(
  'an event for a type a dedicated discoverer owns: one GET by id (scan: %s)',
  (source) => {
    let host: TestHost;
    let dedicated: Target[];
    const rowOf = (r: Target) =>
      getEntityOrUndefined<Record<string, unknown>>(
        host.services.tables.resources,
        resourcePartitionKey(r.subscriptionId, r.type, r.resourceGroup),
        resourceRowKey(r.id),
      );
    const writeEvent = (subject: string) => eventFor('d', subject);
    const content = rowContent;

    beforeAll(async () => {
      host = await startTestHost({
        emulator: { subscriptionCount: 1, vmsPerSubscription: 4 },
        env: { TOPDECK_INVENTORY_SOURCE: source },
      });
      const started = await host.api<{ scanId: string }>('POST', '/api/scans');
      expect((await host.waitForScan(started.body.scanId)).status).toBe('completed');
      // one resource of each type a dedicated discoverer owns
      const byType = new Map<string, Target>();
      const sub = host.emulator.estate.subscriptions[0];
      const all: Target[] = [
        ...(sub?.resources ?? []),
        ...(sub?.vms ?? []).map((vm) => ({
          id: vm.id,
          type: 'Microsoft.Compute/virtualMachines',
          subscriptionId: vm.subscriptionId,
          resourceGroup: vm.resourceGroup,
        })),
      ];
      for (const r of all)
        if (findDedicated(r.type) && !byType.has(r.type.toLowerCase())) byType.set(r.type.toLowerCase(), r);
      dedicated = [...byType.values()];
    });
    afterAll(async () => host?.stop());

    it('reads each with one GET (and its listing per-item reads), no listing, mapped as the scan mapped it', async () => {
      // every dedicated type the demo estate has
      expect(dedicated.map((r) => r.type.toLowerCase()).sort()).toEqual(
        DEDICATED.map((d) => d.type.toLowerCase())
          .filter((t) => dedicated.some((r) => r.type.toLowerCase() === t))
          .sort(),
      );
      // the demo estate has every dedicated type
      expect(dedicated.length).toBe(DEDICATED.length);
      for (const r of dedicated) {
        const discoverer = findDedicated(r.type);
        expect(discoverer, r.type).toBeDefined();
        await new Promise((res) => setTimeout(res, 5));
        const since = Date.now();
        const read = await readById(discoverer!, r.id, host.services.arm, r.type);
        const requests = host.emulator
          .requestLog()
          .filter((e) => e.at >= since && e.path.toLowerCase().startsWith('/subscriptions/'))
          // a VM's sizes (its enrich) come from the size list once per location per process
          .filter((e) => !/\/locations\/[^/]+\/vmSizes$/i.test(e.path))
          .map((e) => `${e.method} ${e.path}`.toLowerCase());
        const extras = EXTRAS[r.type.toLowerCase()]?.(r.id) ?? [];
        expect([r.type, requests.sort()]).toEqual([
          r.type,
          [`GET ${r.id}`, ...extras].map((x) => x.toLowerCase()).sort(),
        ]);
        // the resource itself, found by id (its row is compared with a scan's in the next test)
        expect(read.item?.id.toLowerCase()).toBe(r.id.toLowerCase());
      }
    });

    it('an event stores the row a scan stores, column by column', async () => {
      const byEvent = new Map<string, Record<string, unknown>>();
      for (const r of dedicated) {
        await host.emulator.changeEstate({ kind: 'tags', resourceId: r.id, tags: { refreshedBy: 'event' } });
        const row = await until(`${r.id} re-read`, async () => {
          const x = await rowOf(r);
          return typeof x?.tags === 'string' && x.tags.includes('refreshedBy') ? x : undefined;
        });
        byEvent.set(r.id, row);
      }
      for (const r of dedicated) {
        const row = byEvent.get(r.id) as Record<string, unknown>;
        await host.services.tables.resources.deleteEntity(row.partitionKey as string, row.rowKey as string);
      }
      const scan = await host.api<{ scanId: string }>('POST', '/api/scans');
      expect((await host.waitForScan(scan.body.scanId)).status).toBe('completed');
      for (const r of dedicated) {
        const fromScan = (await rowOf(r)) as Record<string, unknown>;
        expect(fromScan.scanId).toBe(scan.body.scanId);
        const fromEvent = content(byEvent.get(r.id) as Record<string, unknown>);
        expect([r.id, Object.keys(content(fromScan)).sort()]).toEqual([r.id, Object.keys(fromEvent).sort()]);
        for (const [k, v] of Object.entries(content(fromScan)))
          expect([r.id, k, fromEvent[k]]).toEqual([r.id, k, v]);
      }
    });

    it('a GET that answers 404 removes the row', async () => {
      for (const r of dedicated) {
        expect(await rowOf(r), r.id).toBeDefined();
        const path = new RegExp(`${r.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i');
        host.emulator.addFault({ path, status: 404, times: 1 });
        try {
          expect([r.type, await host.services.resourceEvents.handle([writeEvent(r.id)])]).toEqual([
            r.type,
            ['removed'],
          ]);
        } finally {
          host.emulator.clearFaults();
        }
        expect(await rowOf(r), r.id).toBeUndefined();
      }
    });
  },
);
