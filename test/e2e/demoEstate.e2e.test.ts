import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SITE_CONFIG_LIST_ACTION } from '../../src/discovery/types/sites';
import { capturedLogs, startTestHost, type ScanView, type TestHost } from '../support/localHost';
import { tableTexts } from '../support/tableTexts';

interface ApiResource {
  id: string;
  key: string;
  type: string;
  subscriptionId: string;
  name: string;
  properties: Record<string, unknown>;
}

/** Every item of GET /api/resources (with a query), following continuation tokens. */
async function allResources(
  host: TestHost,
  query = '',
): Promise<{ items: ApiResource[]; bodies: unknown[] }> {
  const items: ApiResource[] = [];
  const bodies: unknown[] = [];
  let token: string | undefined;
  do {
    const q = `limit=1000${query}${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
    const { status, body } = await host.api<{ items: ApiResource[]; continuationToken?: string }>(
      'GET',
      `/api/resources?${q}`,
    );
    expect(status).toBe(200);
    bodies.push(body);
    items.push(...body.items);
    token = body.continuationToken;
  } while (token);
  return { items, bodies };
}

const K8S_TYPE = /^Microsoft\.ContainerService\/managedClusters\/./;
/** Objects the AKS clusters' look-alike holds that TopDeck keeps (pods are summed; ReplicaSets and Secrets are not read). */
function keptKubernetesObjects(host: TestHost): number {
  return (host.emulator.kubernetes?.clusters ?? []).reduce(
    (n, c) =>
      n +
      [...c.lists]
        .filter(([list]) => !/\/(pods|replicasets|secrets)$/.test(list))
        .reduce((m, [, objects]) => m + objects.length, 0),
    0,
  );
}

describe('the default demo estate end to end (~2,000 resources, 3 subscriptions)', () => {
  let host: TestHost;
  const sent: string[] = [];
  let scan: ScanView;

  beforeAll(async () => {
    host = await startTestHost({ emulator: {} });
    const send = host.services.queues.send.bind(host.services.queues);
    host.services.queues.send = async (queue, message, options) => {
      const json = JSON.stringify(message);
      sent.push(json, Buffer.from(json).toString('base64'));
      return send(queue, message, options);
    };
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans', {});
    scan = await host.waitForScan(body.scanId, 240_000);
  }, 300_000);
  afterAll(async () => host?.stop());

  it('completes and finds exactly the estate: each resource once, by type and subscription', async () => {
    expect(scan.status).toBe('completed');
    const estate = host.emulator.estate;
    expect(estate.totalResources).toBeGreaterThan(1800);
    const kubernetes = keptKubernetesObjects(host);
    expect(kubernetes).toBeGreaterThan(100);
    // the scan's count is of Azure resources; the clusters' objects are in the inventory beside them
    expect(scan.counts.resources).toBe(estate.totalResources);
    const all = (await allResources(host)).items;
    expect(all.filter((i) => K8S_TYPE.test(i.type))).toHaveLength(kubernetes);
    const items = all.filter((i) => !K8S_TYPE.test(i.type));
    const count = (list: Array<{ type: string; subscriptionId: string }>) => {
      const m = new Map<string, number>();
      for (const r of list) {
        const k = `${r.subscriptionId.toLowerCase()} ${r.type}`;
        m.set(k, (m.get(k) ?? 0) + 1);
      }
      return Object.fromEntries([...m].sort());
    };
    const expected = estate.subscriptions.flatMap((s) => [
      ...s.vms.map(() => ({ type: 'Microsoft.Compute/virtualMachines', subscriptionId: s.subscriptionId })),
      ...s.resources.map((r) => ({ type: r.type, subscriptionId: s.subscriptionId })),
    ]);
    expect(count(items)).toEqual(count(expected));
    expect(new Set(items.map((i) => i.id.toLowerCase())).size).toBe(items.length);
    const estateIds = new Set(
      estate.subscriptions.flatMap((s) => [...s.vms.map((v) => v.id), ...s.resources.map((r) => r.id)]),
    );
    for (const i of items) expect(estateIds.has(i.id)).toBe(true);
  });

  it('lists only the types that exist: one listing task per (subscription, type) present', () => {
    const typesPresent = host.emulator.estate.subscriptions.reduce(
      (n, s) => n + new Set([...(s.vms.length ? ['vm'] : []), ...s.resources.map((r) => r.type)]).size,
      0,
    );
    // and one task per AKS cluster
    expect(scan.tasks.total).toBe(typesPresent + (host.emulator.kubernetes?.clusters.length ?? 0));
    expect(scan.tasks.skipped).toBe(0);
  });

  it('filters by any well-formed type, case-insensitively; a type nobody has is an empty page', async () => {
    const redis = await allResources(host, '&type=microsoft.cache/REDIS');
    expect(redis.items.length).toBe(
      host.emulator.estate.subscriptions
        .flatMap((s) => s.resources)
        .filter((r) => r.type === 'Microsoft.Cache/redis').length,
    );
    expect(redis.items.every((r) => r.type === 'Microsoft.Cache/redis')).toBe(true);
    const generic = await allResources(host, '&type=MICROSOFT.insights/Components');
    expect(generic.items.length).toBeGreaterThan(0);
    expect(generic.items.every((r) => r.type === 'Microsoft.Insights/components')).toBe(true);
    expect((await allResources(host, '&type=Microsoft.Foo/bars')).items).toEqual([]);
  });

  it('scans a generic-only type on request', async () => {
    const { status, body } = await host.api<{ scanId: string }>('POST', '/api/scans', {
      resourceTypes: ['microsoft.insights/COMPONENTS'],
    });
    expect(status).toBe(202);
    const one = await host.waitForScan(body.scanId, 60_000);
    expect(one.status).toBe('completed');
    expect(one.counts.resources).toBe(
      host.emulator.estate.subscriptions
        .flatMap((s) => s.resources)
        .filter((r) => r.type === 'Microsoft.Insights/components').length,
    );
  });

  it('no fake secret reaches a table, a queue message, an API answer or a log line (nor base64 or gzip of one)', async () => {
    // the settings' fake secrets, and the values planted in the clusters' Secrets, ConfigMaps and env
    const secrets = [
      ...host.emulator.estate.secrets,
      ...(host.emulator.kubernetes?.clusters ?? []).flatMap((c) => c.planted),
    ];
    expect(secrets.length).toBeGreaterThan(50);
    const { bodies } = await allResources(host);
    const scans = await host.api('GET', `/api/scans/${scan.scanId}`);
    const haystacks: Array<[string, string[]]> = [
      ['tables', await tableTexts(host)],
      ['queue messages', sent],
      ['API answers', [...bodies, scans.body].map((b) => JSON.stringify(b))],
      ['log lines', capturedLogs],
    ];
    expect(sent.length).toBeGreaterThan(0);
    for (const [where, texts] of haystacks) {
      const all = texts.join('\n');
      for (const secret of secrets) {
        for (const form of [
          secret,
          Buffer.from(secret).toString('base64'),
          Buffer.from(secret).toString('base64url'),
        ])
          expect(all.includes(form), `${where} holds ${form}`).toBe(false);
      }
    }
    // the settings were read: the endpoints they point at are kept
    const sites = (await allResources(host, '&type=Microsoft.Web/sites')).items;
    expect(sites.every((s) => Array.isArray(s.properties.referencedEndpoints))).toBe(true);
  });
});

describe('without the custom role (Reader only)', () => {
  it('inventories sites and records the missing config/list permission once, naming it', async () => {
    const host = await startTestHost({
      emulator: { vmsPerSubscription: 4, subscriptionCount: 2, denyActions: [SITE_CONFIG_LIST_ACTION] },
    });
    try {
      const { body } = await host.api<{ scanId: string }>('POST', '/api/scans', {});
      const scan = await host.waitForScan(body.scanId, 120_000);
      expect(scan.status).toBe('completed');
      expect(scan.counts.resources).toBe(host.emulator.estate.totalResources);
      expect((await allResources(host)).items.length).toBe(
        host.emulator.estate.totalResources + keptKubernetesObjects(host),
      );
      const missing = scan.errors.filter((e) => e.code === 'MissingPermission');
      expect(missing).toHaveLength(1);
      expect(missing[0]?.message).toContain(SITE_CONFIG_LIST_ACTION);
    } finally {
      await host.stop();
    }
  }, 180_000);
});
