import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChangeItem } from '../../src/changes/ChangeItem';
import { ChangeLog } from '../../src/changes/ChangeLog';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import { createTables, ensureTables, type Tables } from '../../src/storage/tables';

const SUB = '11111111-0000-0000-0000-000000000001';
const rg = (n: number) => `/subscriptions/${SUB}/resourceGroups/rg-${n}/providers`;

/** `GET /api/changes` reads through ChangeLog.query: newest first, however the rows are keyed. */
describe('the change history is newest first', () => {
  let azurite: RunningAzurite;
  let tables: Tables;
  let log: ChangeLog;
  const scans = [
    {
      scanId: '20260101T000000Z-aaaaaaaa',
      startedAt: '2026-01-01T00:00:00.000Z',
      completedAt: '2026-01-01T00:10:00.000Z',
    },
    {
      scanId: '20260102T000000Z-bbbbbbbb',
      startedAt: '2026-01-02T00:00:00.000Z',
      completedAt: '2026-01-02T00:10:00.000Z',
    },
  ];

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    const access = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    tables = createTables(access, 'order');
    await ensureTables(access, tables);
    log = new ChangeLog(tables.changes, async () => [...scans].reverse());
    // Within a scan, key order (kind, then id; partitions by group) is not time order: an item
    // of a later page sorts before one of an earlier page, a removal (finalize) before an addition.
    const item = (scanId: string, at: string, kind: ChangeItem['kind'], id: string): ChangeItem => ({
      scanId,
      at,
      kind,
      resourceId: id,
      type: 'Microsoft.Web/sites',
      name: id.split('/').pop() ?? '',
      subscriptionId: SUB,
    });
    const [a, b] = scans.map((s) => s.scanId) as [string, string];
    await log.record([
      item(a, '2026-01-01T00:01:00.000Z', 'added', `${rg(2)}/Microsoft.Web/sites/zeta`),
      item(a, '2026-01-01T00:02:00.000Z', 'added', `${rg(1)}/Microsoft.Web/sites/alpha`),
      item(a, '2026-01-01T00:09:00.000Z', 'removed', `${rg(3)}/Microsoft.Web/sites/gone`),
      item(b, '2026-01-02T00:05:00.000Z', 'modified', `${rg(1)}/Microsoft.Web/sites/alpha`),
      item(b, '2026-01-02T00:03:00.000Z', 'added', `${rg(4)}/Microsoft.Web/sites/beta`),
      item(b, '2026-01-02T00:04:00.000Z', 'added', `${rg(0)}/Microsoft.Web/sites/aardvark`),
    ]);
  });
  afterAll(async () => azurite?.close());

  const expected = [
    '2026-01-02T00:05:00.000Z modified alpha',
    '2026-01-02T00:04:00.000Z added aardvark',
    '2026-01-02T00:03:00.000Z added beta',
    '2026-01-01T00:09:00.000Z removed gone',
    '2026-01-01T00:02:00.000Z added alpha',
    '2026-01-01T00:01:00.000Z added zeta',
  ];
  const line = (c: ChangeItem) => `${c.at} ${c.kind} ${c.name}`;

  it('since= answers every item newest first', async () => {
    const page = await log.query({ since: '2025-12-31T00:00:00.000Z', limit: 100 });
    expect(page.items.map(line)).toEqual(expected);
  });

  it('pages keep the order, across scans and inside one', async () => {
    for (const limit of [1, 2, 4]) {
      const seen: string[] = [];
      let continuationToken: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await log.query({ since: '2025-12-31T00:00:00.000Z', limit, continuationToken });
        expect(page.items.length).toBeLessThanOrEqual(limit);
        seen.push(...page.items.map(line));
        continuationToken = page.continuationToken;
        if (!continuationToken) break;
      }
      expect(seen, `limit ${limit}`).toEqual(expected);
    }
  });

  it('a window inside one scan is newest first too', async () => {
    const page = await log.query({
      since: '2026-01-01T00:01:30.000Z',
      until: '2026-01-01T23:00:00.000Z',
      limit: 100,
    });
    expect(page.items.map(line)).toEqual(expected.slice(3, 5));
  });
});
