import { describe, expect, it } from 'vitest';
import { buildClusterModel, clusterOf } from '../../web/src/clusterModel';
import { applyFilters, choices } from '../../web/src/graphFilters';
import { keyProperties } from '../../web/src/keyProperties';
import { memberGrid } from '../../web/src/memberGrid';
import type { Edge, GraphNode } from '../../web/src/types';

const S = 'aaaaaaaa-0000-0000-0000-000000000000';
const T = 'bbbbbbbb-0000-0000-0000-000000000000';
const id = (sub: string, rg: string, type: string, name: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/${type}/${name}`;

function node(sub: string, rg: string, type: string, name: string, application?: string): GraphNode {
  return {
    id: id(sub, rg, type, name),
    name,
    type,
    external: false,
    subscriptionId: sub,
    resourceGroup: rg,
    ...(application ? { application } : {}),
  };
}

const edge = (from: GraphNode, to: GraphNode, category: Edge['category']): Edge => ({
  sourceId: from.id,
  targetId: to.id,
  category,
  strength: 1,
  method: 'arm-reference',
  evidence: 'properties.x',
});

const vnet = node(S, 'rg-net', 'Microsoft.Network/virtualNetworks', 'vnet', 'shop');
const subnet: GraphNode = {
  ...node(S, 'rg-net', 'Microsoft.Network/virtualNetworks', 'vnet/subnets/web'),
  name: 'web',
  type: 'Microsoft.Network/virtualNetworks/subnets',
};
const vm = node(S, 'rg-net', 'Microsoft.Compute/virtualMachines', 'vm1', 'shop');
const sql = node(S, 'rg-data', 'Microsoft.Sql/servers', 'sql1');
const sqlOther = node(T, 'rg-data', 'Microsoft.Sql/servers', 'sql2');
const site = node(S, 'rg-web', 'Microsoft.Web/sites', 'site', 'portal');
const ext: GraphNode = {
  id: 'external:api.example.com',
  name: 'api.example.com',
  type: 'external',
  external: true,
};

describe('the clusters the graph opens on', () => {
  const nodes = [vnet, subnet, vm, sql, sqlOther, site, ext];
  const byId = new Map(nodes.map((n) => [n.id.toLowerCase(), n]));

  it.each([
    [vm, 'cluster:app:shop'],
    // A subnet has no tags: it sits with its virtual network, whose application is known.
    [subnet, 'cluster:app:shop'],
    [sql, `cluster:rg:${S}/rg-data`],
    [sqlOther, `cluster:rg:${T}/rg-data`],
    [ext, 'cluster:external'],
  ])('puts %o in %s', (n, expected) => {
    expect(clusterOf(n, byId).id).toBe(expected);
  });

  it('aggregates edges per pair of clusters, counted, coloured by the dominant category, inner edges kept apart', () => {
    // Edge ends in another casing than the node ids, as Azure spells resource groups.
    const upper = (n: GraphNode): GraphNode => ({ ...n, id: n.id.toUpperCase() });
    const edges = [
      edge(vm, subnet, 'network'),
      edge(site, upper(sql), 'data'),
      edge(site, sql, 'data'),
      edge(site, sql, 'configuration'),
      edge(sql, site, 'configuration'),
      edge(site, ext, 'data'),
    ];
    const model = buildClusterModel({ nodes, edges });
    expect(model.clusters.map((c) => `${c.name}:${c.members.length}`).sort()).toEqual(
      ['shop:3', 'external:1', 'portal:1', 'rg-data (aaaaaaaa):1', 'rg-data (bbbbbbbb):1'].sort(),
    );
    expect(model.internal.get('cluster:app:shop')).toHaveLength(1);
    const portalData = model.aggregates.find(
      (a) =>
        [a.source, a.target].sort().join('|') ===
        ['cluster:app:portal', `cluster:rg:${S}/rg-data`].sort().join('|'),
    );
    // Both directions are one aggregated edge: 4 edges, data 2 of them.
    expect(portalData).toMatchObject({ count: 4, category: 'data' });
    expect(model.aggregates).toHaveLength(2);
    expect(model.aggregates.reduce((s, a) => s + a.count, 0) + 1).toBe(edges.length);
  });

  it('folds the smallest clusters into one when there are more than the overview can show', () => {
    const many = Array.from({ length: 10 }, (_, i) =>
      Array.from({ length: i + 1 }, (_, j) => node(S, `rg-${i}`, 'Microsoft.Compute/disks', `d${i}-${j}`)),
    ).flat();
    const model = buildClusterModel({ nodes: many, edges: [] }, 4);
    expect(model.clusters).toHaveLength(4);
    expect(model.clusters.at(-1)).toMatchObject({ id: 'cluster:rest', name: '7 smaller groups' });
    expect(model.clusters.reduce((s, c) => s + c.members.length, 0)).toBe(many.length);
    expect(model.clusterOfNode.get(many[0]?.id.toLowerCase() ?? '')).toBe('cluster:rest');
  });

  it('filters by subscription, group, application or type, keeping the external hosts the rest points at', () => {
    const graph = {
      nodes,
      edges: [edge(site, sql, 'data'), edge(site, ext, 'data'), edge(vm, subnet, 'network')],
    };
    expect(applyFilters(graph, { application: 'PORTAL' }).nodes.map((n) => n.name)).toEqual([
      'site',
      'api.example.com',
    ]);
    expect(applyFilters(graph, { subscriptionId: T }).nodes.map((n) => n.name)).toEqual(['sql2']);
    const typed = applyFilters(graph, { type: 'microsoft.sql/servers', resourceGroup: 'RG-DATA' });
    expect(typed.nodes.map((n) => n.name)).toEqual(['sql1', 'sql2']);
    expect(typed.edges).toEqual([]);
    expect(choices(graph, 'resourceGroup')).toEqual(['rg-data', 'rg-net', 'rg-web']);
  });

  it('lays a cluster’s members out in a grid around its centre, each once', () => {
    const members = Array.from({ length: 500 }, (_, i) => node(S, 'rg', 'Microsoft.Compute/disks', `d${i}`));
    const grid = memberGrid(members, 100, 50);
    expect(grid.offsets.size).toBe(500);
    expect(new Set([...grid.offsets.values()].map((p) => `${p.x},${p.y}`)).size).toBe(500);
    const xs = [...grid.offsets.values()].map((p) => p.x);
    expect(Math.min(...xs)).toBeCloseTo(-grid.width / 2);
    expect(Math.max(...xs)).toBeCloseTo(grid.width / 2);
  });

  it.each([
    [
      'Microsoft.Compute/virtualMachines',
      { vmSize: 'Standard_D2s_v3', osType: 'Linux', dataDisks: [] },
      [
        ['vmSize', 'Standard_D2s_v3'],
        ['osType', 'Linux'],
      ],
    ],
    [
      'Microsoft.Network/virtualNetworks',
      { addressPrefixes: ['10.0.0.0/16', '10.1.0.0/16'] },
      [['addressPrefixes', '10.0.0.0/16, 10.1.0.0/16']],
    ],
    ['Microsoft.Foo/bars', { skuName: 'S1', nested: { a: 1 } }, [['skuName', 'S1']]],
  ])('shows the key properties of a %s', (type, properties, expected) => {
    expect(keyProperties(type, properties)).toEqual(expected);
  });
});
