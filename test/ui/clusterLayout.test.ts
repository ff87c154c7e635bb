import { describe, expect, it } from 'vitest';
import { clusterOf, clusters, gridClusterPositions } from '../../web/src/clusterLayout';
import type { GraphNode } from '../../web/src/types';

const node = (id: string, rg: string | undefined, extra: Partial<GraphNode> = {}): GraphNode => ({
  id,
  name: id,
  type: 'Microsoft.Compute/virtualMachines',
  external: false,
  subscriptionId: 'S',
  ...(rg ? { resourceGroup: rg } : {}),
  ...extra,
});

describe('the clustered grid the page uses for large graphs', () => {
  it.each([
    [node('a', 'RG-One'), false, 'cluster:s/rg-one'],
    [node('b', 'rg-one', { application: 'shop' }), false, 'cluster:s/rg-one'],
    [node('b', 'rg-one', { application: 'shop' }), true, 'cluster:app:shop'],
    [node('external:x.example.com', undefined, { external: true }), false, 'cluster:external'],
    [node('c', undefined), false, 'cluster:other'],
  ])('puts %o in its cluster (by application: %s)', (n, byApp, id) => {
    expect(clusterOf(n, byApp).id).toBe(id);
  });

  it('places every node once, clusters apart, largest first', () => {
    const nodes = [
      ...Array.from({ length: 50 }, (_, i) => node(`big${i}`, 'rg-big')),
      ...Array.from({ length: 7 }, (_, i) => node(`small${i}`, 'rg-small')),
    ];
    const groups = clusters(nodes, false);
    expect(groups.map((g) => [g.label, g.members.length])).toEqual([
      ['rg-big', 50],
      ['rg-small', 7],
    ]);
    const positions = gridClusterPositions(groups, 10, 100);
    expect(positions.size).toBe(57);
    const keys = new Set([...positions.values()].map((p) => `${p.x},${p.y}`));
    expect(keys.size).toBe(57);
    const box = (prefix: string) => {
      const ps = [...positions].filter(([id]) => id.startsWith(prefix)).map(([, p]) => p);
      return {
        x1: Math.min(...ps.map((p) => p.x)),
        x2: Math.max(...ps.map((p) => p.x)),
        y1: Math.min(...ps.map((p) => p.y)),
        y2: Math.max(...ps.map((p) => p.y)),
      };
    };
    const big = box('big');
    const small = box('small');
    const apart = small.x1 - big.x2 >= 100 || small.y1 - big.y2 >= 100;
    expect(apart).toBe(true);
  });
});
