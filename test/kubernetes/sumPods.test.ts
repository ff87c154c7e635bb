import { describe, expect, it } from 'vitest';
import { podOwner, podSumWorkloadId, sumPods } from '../../src/kubernetes/sumPods';

function pod(
  name: string,
  owner: { kind: string; name: string } | undefined,
  options: { hash?: string; ready?: boolean; restarts?: number; image?: string; namespace?: string } = {},
) {
  return {
    metadata: {
      name,
      namespace: options.namespace ?? 'shop',
      labels: options.hash ? { 'pod-template-hash': options.hash } : {},
      ...(owner ? { ownerReferences: [{ kind: owner.kind, name: owner.name, controller: true }] } : {}),
    },
    status: {
      conditions: [{ type: 'Ready', status: options.ready === false ? 'False' : 'True' }],
      containerStatuses: [{ image: options.image ?? 'web:1', restartCount: options.restarts ?? 0 }],
    },
  };
}

/** What the ReplicaSets listed before the pods said: `<namespace>/<ReplicaSet>` → its Deployment. */
const owners = new Map([
  ['shop/web-5d8f7c9b4', 'web'],
  ['shop/api-v2-7c9b4', 'api-v2'],
  ['shop/checkout-blue', 'checkout'],
  ['shop/web-5d8f7', 'web'],
]);

describe('podOwner: owner chains', () => {
  it.each([
    {
      name: "pod → ReplicaSet → Deployment (the ReplicaSet's own owner reference)",
      pod: pod('web-5d8f7c9b4-abcde', { kind: 'ReplicaSet', name: 'web-5d8f7c9b4' }, { hash: '5d8f7c9b4' }),
      owner: { kind: 'deployments', namespace: 'shop', name: 'web' },
    },
    {
      name: 'a Deployment whose name has dashes',
      pod: pod('api-v2-7c9b4-xyz12', { kind: 'ReplicaSet', name: 'api-v2-7c9b4' }, { hash: '7c9b4' }),
      owner: { kind: 'deployments', namespace: 'shop', name: 'api-v2' },
    },
    {
      name: 'a ReplicaSet whose name does not follow <deployment>-<hash>',
      pod: pod('checkout-blue-q2w3e', { kind: 'ReplicaSet', name: 'checkout-blue' }, { hash: '9f8e7' }),
      owner: { kind: 'deployments', namespace: 'shop', name: 'checkout' },
    },
    {
      name: 'a StatefulSet',
      pod: pod('db-0', { kind: 'StatefulSet', name: 'db' }),
      owner: { kind: 'statefulsets', namespace: 'shop', name: 'db' },
    },
    {
      name: 'a DaemonSet',
      pod: pod('agent-x1', { kind: 'DaemonSet', name: 'agent' }),
      owner: { kind: 'daemonsets', namespace: 'shop', name: 'agent' },
    },
    {
      name: "a ReplicaSet no Deployment owns, though named like one of web's: none",
      pod: pod('web-77f9c-abcde', { kind: 'ReplicaSet', name: 'web-77f9c' }, { hash: '77f9c' }),
      owner: undefined,
    },
    {
      name: 'the same ReplicaSet name in another namespace: none',
      pod: pod(
        'web-5d8f7c9b4-abcde',
        { kind: 'ReplicaSet', name: 'web-5d8f7c9b4' },
        { hash: '5d8f7c9b4', namespace: 'other' },
      ),
      owner: undefined,
    },
    { name: 'a Job: none', pod: pod('job-1', { kind: 'Job', name: 'job' }), owner: undefined },
    { name: 'an unowned pod: none', pod: pod('lonely', undefined), owner: undefined },
  ])('$name', ({ pod: p, owner }) => {
    expect(podOwner(p, owners)).toEqual(owner);
  });
});

describe('sumPods', () => {
  const rs = { kind: 'ReplicaSet', name: 'web-5d8f7' };
  const web = (n: string, o: Parameters<typeof pod>[2] = {}) =>
    pod(`web-5d8f7-${n}`, rs, { hash: '5d8f7', ...o });
  const db = (n: number) =>
    pod(`db-${n}`, { kind: 'StatefulSet', name: 'db' }, { image: 'postgres:16', restarts: 2 });

  it('sums ready/total, restarts and running images per workload; no row per pod', () => {
    const { done, carry } = sumPods(
      [web('a'), web('b', { ready: false, restarts: 3, image: 'web:2' }), db(0), db(1)],
      undefined,
      true,
      owners,
    );
    expect(carry).toBeUndefined();
    expect(done).toEqual([
      {
        owner: 'deployments|shop|web',
        podsTotal: 2,
        podsReady: 1,
        restarts: 3,
        runningImages: ['web:1', 'web:2'],
      },
      {
        owner: 'statefulsets|shop|db',
        podsTotal: 2,
        podsReady: 2,
        restarts: 4,
        runningImages: ['postgres:16'],
      },
    ]);
    expect(
      podSumWorkloadId(
        '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c',
        done[0] as never,
      ),
    ).toBe(
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/namespaces/shop/deployments/web',
    );
  });

  it("carries the page's last workload into the next page, so one split across pages is summed once", () => {
    const page1 = sumPods([db(0), web('a'), web('b')], undefined, false, owners);
    expect(page1.done.map((d) => d.owner)).toEqual(['statefulsets|shop|db']);
    expect(page1.carry).toMatchObject({ owner: 'deployments|shop|web', podsTotal: 2 });
    // the carry travels in the queue message as JSON
    const carried = JSON.parse(JSON.stringify(page1.carry));
    const page2 = sumPods(
      [web('c', { restarts: 5 }), pod('zz-0', { kind: 'StatefulSet', name: 'zz' })],
      carried,
      true,
      owners,
    );
    expect(page2.done).toEqual([
      { owner: 'deployments|shop|web', podsTotal: 3, podsReady: 3, restarts: 5, runningImages: ['web:1'] },
      { owner: 'statefulsets|shop|zz', podsTotal: 1, podsReady: 1, restarts: 0, runningImages: ['web:1'] },
    ]);
  });

  it('writes a carried workload that does not continue on the next page', () => {
    const next = sumPods(
      [db(0)],
      { owner: 'deployments|shop|web', podsTotal: 2, podsReady: 2, restarts: 0, runningImages: ['web:1'] },
      false,
    );
    expect(next.done.map((d) => d.owner)).toEqual(['deployments|shop|web']);
    expect(next.carry?.owner).toBe('statefulsets|shop|db');
  });
});
