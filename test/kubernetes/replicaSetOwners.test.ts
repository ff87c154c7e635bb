import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadReplicaSetOwners,
  replicaSetOwners,
  replicaSetsOfPods,
  saveReplicaSetOwners,
} from '../../src/kubernetes/replicaSetOwners';
import { sumPods } from '../../src/kubernetes/sumPods';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import { ScanStore } from '../../src/scan/ScanStore';
import { createTables, ensureTables } from '../../src/storage/tables';

const rs = (namespace: string, name: string, deployment?: string) => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name,
    namespace,
    ...(deployment
      ? {
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment, controller: true },
          ],
        }
      : {}),
  },
});
const pod = (namespace: string, name: string, replicaSet: string, restarts = 0) => ({
  metadata: {
    name,
    namespace,
    labels: { 'pod-template-hash': replicaSet.split('-').pop() as string },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet, controller: true }],
  },
  status: {
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ image: `${replicaSet}:1`, restartCount: restarts }],
  },
});

/**
 * Pods come in later messages than the ReplicaSets they name: each ReplicaSet page leaves a note
 * of its owners in the scan's task rows, and a pod page reads only the notes whose range holds
 * its ReplicaSets.
 */
describe('ReplicaSet owners across a cluster task’s pages', () => {
  let azurite: RunningAzurite;
  let store: ScanStore;

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
    const access = { kind: 'connectionString' as const, connectionString: azurite.connectionString };
    const tables = createTables(access, 'rsowners');
    await ensureTables(access, tables);
    store = new ScanStore(tables.scans, tables.scantasks);
  }, 60_000);
  afterAll(async () => azurite?.close());

  it('follows owner references, whatever a ReplicaSet is called; one without a Deployment owner leads nowhere', async () => {
    const scanId = 'scan-1';
    const taskId = 'kubernetes|cluster-a';
    // two pages of ReplicaSets, noted one after the other as their messages would
    const page1 = [
      rs('payments', 'api-6c7d8', 'api'),
      rs('shop', 'checkout-blue', 'checkout'), // not <deployment>-<hash>
      rs('shop', 'web-77f9c'), // named like web's, owned by no Deployment
    ];
    const page2 = [rs('shop', 'web-5d8f7', 'web'), rs('shop', 'worker-1a2b3', 'worker')];
    await saveReplicaSetOwners(store, scanId, taskId, replicaSetOwners(page1));
    await saveReplicaSetOwners(store, scanId, taskId, replicaSetOwners(page2));
    // a redelivered page writes its note again: nothing doubles
    await saveReplicaSetOwners(store, scanId, taskId, replicaSetOwners(page2));
    // another task's and another scan's notes are not read
    await saveReplicaSetOwners(
      store,
      scanId,
      'kubernetes|cluster-b',
      replicaSetOwners([rs('shop', 'web-77f9c', 'web')]),
    );
    await saveReplicaSetOwners(store, 'scan-0', taskId, replicaSetOwners([rs('shop', 'web-77f9c', 'web')]));

    const pods = [
      pod('shop', 'checkout-blue-q2w3e', 'checkout-blue'),
      pod('shop', 'checkout-blue-r4t5y', 'checkout-blue', 2),
      pod('shop', 'web-5d8f7-aaaaa', 'web-5d8f7', 1),
      pod('shop', 'web-77f9c-bbbbb', 'web-77f9c', 9),
    ];
    const wanted = replicaSetsOfPods(pods);
    expect(wanted.sort()).toEqual(['shop/checkout-blue', 'shop/web-5d8f7', 'shop/web-77f9c']);
    const owners = await loadReplicaSetOwners(store, scanId, taskId, wanted);
    expect([...owners].sort()).toEqual([
      ['shop/checkout-blue', 'checkout'],
      ['shop/web-5d8f7', 'web'],
    ]);
    const { done } = sumPods(pods, undefined, true, owners);
    expect(done.map((d) => [d.owner, d.podsTotal, d.restarts])).toEqual([
      ['deployments|shop|checkout', 2, 2],
      ['deployments|shop|web', 1, 1], // the bare ReplicaSet's pod (9 restarts) is not web's
    ]);
  });

  it('a pod page reads only the notes whose range holds its ReplicaSets; a large page is split over fields', async () => {
    const scanId = 'scan-2';
    const taskId = 'kubernetes|cluster-a';
    const name = (i: number) => `deployment-with-a-rather-long-name-${String(i).padStart(4, '0')}`;
    // 1,000 ReplicaSets a page: more than one 64 KiB field of text
    for (const p of [0, 1, 2])
      await saveReplicaSetOwners(
        store,
        scanId,
        taskId,
        replicaSetOwners(
          Array.from({ length: 1000 }, (_, i) =>
            rs('apps', `${name(p * 1000 + i)}-abc12`, name(p * 1000 + i)),
          ),
        ),
      );
    const all = await store.listTaskNotes<Record<string, string>>(scanId, taskId);
    expect(all.length).toBe(3);
    expect(all.every((n) => typeof n.o1 === 'string' && n.o1.length <= 30_000)).toBe(true);
    const wanted = [`apps/${name(1500)}-abc12`, `apps/${name(1999)}-abc12`, `apps/${name(1000)}-abc12`];
    const where = `first le '${[...wanted].sort().pop() as string}' and last ge '${[...wanted].sort()[0] as string}'`;
    expect((await store.listTaskNotes(scanId, taskId, where)).length).toBe(1);
    const owners = await loadReplicaSetOwners(store, scanId, taskId, wanted);
    expect(owners).toEqual(
      new Map([
        [`apps/${name(1500)}-abc12`, name(1500)],
        [`apps/${name(1999)}-abc12`, name(1999)],
        [`apps/${name(1000)}-abc12`, name(1000)],
      ]),
    );
    // across two pages' ranges
    const across = await loadReplicaSetOwners(store, scanId, taskId, [
      `apps/${name(999)}-abc12`,
      `apps/${name(2000)}-abc12`,
    ]);
    expect(across.size).toBe(2);
  });
});
