import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDedicated } from '../../src/discovery/registry';
import { DEFAULT_API_VERSIONS } from '../../src/emulator/providers/resourceManager';
import type { EmulatedResource } from '../../src/emulator/EmulatedResource';
import { resourcePartitionKey, resourceRowKey } from '../../src/storage/keys';
import { getEntityOrUndefined } from '../../src/storage/tables';
import { startTestHost, type TestHost } from '../support/localHost';
import { rowContent, until, writeEvent as eventFor } from '../support/eventTests';

/**
 * Columns that say when, by whom and by which scan's step a row was written (`changeKind`: what
 * that scan found), not what Azure said about the resource.
 */
describe('an event for a type only the generic list keeps: one GET by id', () => {
  let host: TestHost;
  let generic: EmulatedResource[];
  const rowOf = (r: EmulatedResource) =>
    getEntityOrUndefined<Record<string, unknown>>(
      host.services.tables.resources,
      resourcePartitionKey(r.subscriptionId, r.type, r.resourceGroup),
      resourceRowKey(r.id),
    );
  const writeEvent = (subject: string) => eventFor('g', subject);
  const content = rowContent;

  beforeAll(async () => {
    host = await startTestHost({ emulator: { subscriptionCount: 1, vmsPerSubscription: 4 } });
    const started = await host.api<{ scanId: string }>('POST', '/api/scans');
    expect((await host.waitForScan(started.body.scanId)).status).toBe('completed');
    // one resource of each type no dedicated discoverer owns
    const byType = new Map<string, EmulatedResource>();
    for (const r of host.emulator.estate.subscriptions[0]?.resources ?? [])
      if (!findDedicated(r.type) && !byType.has(r.type.toLowerCase())) byType.set(r.type.toLowerCase(), r);
    generic = [...byType.values()];
  });
  afterAll(async () => host?.stop());

  it('reads each with the newest stable API version the provider lists, and stores the row a scan stores', async () => {
    expect(generic.length).toBeGreaterThanOrEqual(3);
    const stable = [...DEFAULT_API_VERSIONS]
      .filter((v) => !v.includes('preview'))
      .sort()
      .pop();
    const since = Date.now();
    const byEvent = new Map<string, Record<string, unknown>>();
    for (const r of generic) {
      await host.emulator.changeEstate({ kind: 'tags', resourceId: r.id, tags: { refreshedBy: 'event' } });
      const row = await until(`${r.id} re-read`, async () => {
        const x = await rowOf(r);
        return typeof x?.tags === 'string' && x.tags.includes('refreshedBy') ? x : undefined;
      });
      expect(row.changedBy).toBe('demo.operator@contoso.example');
      byEvent.set(r.id, row);
    }
    const log = host.emulator.requestLog().filter((e) => e.at >= since && e.method === 'GET');
    for (const r of generic) {
      // one GET of the resource itself, with the provider's newest non-preview version ...
      const gets = log.filter((e) => e.path.toLowerCase() === r.id.toLowerCase());
      expect(gets.map((e) => new URLSearchParams(e.query).get('api-version'))).toEqual([stable]);
      // ... and no listing of its group
      expect(log.some((e) => /\/resources$/i.test(e.path))).toBe(false);
    }
    // the provider document is read once per type, not per event
    const namespaces = new Set(generic.map((r) => r.type.split('/')[0]?.toLowerCase()));
    for (const ns of namespaces) {
      const docs = log.filter((e) => e.path.toLowerCase().endsWith(`/providers/${ns}`));
      expect(docs.length).toBe(generic.filter((r) => r.type.split('/')[0]?.toLowerCase() === ns).length);
    }
    const again = Date.now();
    const outcome = await host.services.resourceEvents.handle([writeEvent(generic[0]?.id as string)]);
    expect(outcome).toEqual(['unchanged']);
    expect(
      host.emulator.requestLog().filter((e) => e.at >= again && /\/providers\/[^/]+$/i.test(e.path)),
    ).toEqual([]);

    // the same resources as a scan stores them: rows removed, then a full scan writes them again
    for (const r of generic) {
      const row = byEvent.get(r.id) as Record<string, unknown>;
      await host.services.tables.resources.deleteEntity(row.partitionKey as string, row.rowKey as string);
    }
    const scan = await host.api<{ scanId: string }>('POST', '/api/scans');
    expect((await host.waitForScan(scan.body.scanId)).status).toBe('completed');
    for (const r of generic) {
      const fromScan = (await rowOf(r)) as Record<string, unknown>;
      expect(fromScan.scanId).toBe(scan.body.scanId);
      const fromEvent = content(byEvent.get(r.id) as Record<string, unknown>);
      expect(Object.keys(content(fromScan)).sort()).toEqual(Object.keys(fromEvent).sort());
      for (const [k, v] of Object.entries(content(fromScan)))
        expect([r.id, k, fromEvent[k]]).toEqual([r.id, k, v]);
    }
  });

  it('a GET that answers 404 removes the row', async () => {
    const r = generic[1] as EmulatedResource;
    expect(await rowOf(r)).toBeDefined();
    const path = new RegExp(`${r.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i');
    host.emulator.addFault({ path, status: 404, times: 1 });
    try {
      expect(await host.services.resourceEvents.handle([writeEvent(r.id)])).toEqual(['removed']);
    } finally {
      host.emulator.clearFaults();
    }
    expect(await rowOf(r)).toBeUndefined();
  });
});
