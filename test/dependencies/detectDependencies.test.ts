import { describe, expect, it } from 'vitest';
import {
  APPLICATION_TYPE,
  applicationNodeId,
  deploymentNodeId,
  repositoryNodeId,
} from '../../src/dependencies/applicationRules';
import { EdgeDetector, detectDependencies } from '../../src/dependencies/detectDependencies';
import type { Edge } from '../../src/dependencies/Edge';
import { NodeIndex } from '../../src/dependencies/NodeIndex';
import { PageView, ResourceIndex } from '../../src/dependencies/ResourceIndex';
import { handMadeEstate, ids } from './handMadeEstate';

const name = (id: string) =>
  id.startsWith('external:') ? id : (id.split('/').filter(Boolean).slice(-1)[0] as string).toLowerCase();
const arrow = (e: Edge) => `${name(e.sourceId)} -> ${name(e.targetId)}`;

function detect(heuristics = false) {
  return detectDependencies(new ResourceIndex(handMadeEstate()), { heuristics });
}

describe('dependency rules on a hand-made estate', () => {
  const edges = detect();
  const find = (source: string, target: string) =>
    edges.filter(
      (e) =>
        e.sourceId.toLowerCase() === source.toLowerCase() &&
        e.targetId.toLowerCase() === target.toLowerCase(),
    );

  it.each([
    ['VM → NIC', ids.vm, ids.nic, 'network', 'arm-reference'],
    ['VM → OS disk', ids.vm, ids.osDisk, 'compute', 'arm-reference'],
    ['VM → data disk', ids.vm, ids.dataDisk, 'compute', 'arm-reference'],
    ['VM → availability set (upper-cased id)', ids.vm, ids.avset.toUpperCase(), 'compute', 'arm-reference'],
    ['NIC → subnet (id casing differs)', ids.nic, ids.subnetWeb, 'network', 'arm-reference'],
    ['NIC → NSG', ids.nic, ids.nsg, 'network', 'arm-reference'],
    ['subnet → VNet', ids.subnetWeb, ids.vnet, 'network', 'arm-reference'],
    ['subnet → NSG', ids.subnetWeb, ids.nsg, 'network', 'arm-reference'],
    ['subnet → route table', ids.subnetWeb, ids.routes, 'network', 'arm-reference'],
    ['peering, one way', ids.vnet, ids.remoteVnet, 'network', 'arm-reference'],
    ['peering, the other way', ids.remoteVnet, ids.vnet, 'network', 'arm-reference'],
    ['LB → public IP', ids.lb, ids.pip, 'network', 'arm-reference'],
    ['LB → backend NIC', ids.lb, ids.nic, 'network', 'arm-reference'],
    ["LB → the NIC's VM", ids.lb, ids.vm, 'network', 'arm-reference'],
    ['LB → scale set member', ids.lb, ids.vmss, 'network', 'arm-reference'],
    ['scale set → subnet', ids.vmss, ids.subnetWeb, 'network', 'arm-reference'],
    ['AKS agent pool → subnet', ids.aks, ids.subnetData, 'network', 'arm-reference'],
    ['AKS → node resource group scale set', ids.aks, ids.aksPool, 'compute', 'arm-reference'],
    ['private endpoint → subnet', ids.pe, ids.subnetData, 'network', 'arm-reference'],
    ['private endpoint → its target', ids.pe, ids.sql, 'network', 'private-link'],
    ['SQL database → server', ids.db, ids.sql, 'data', 'arm-reference'],
    ['web app → plan', ids.site, ids.plan, 'compute', 'arm-reference'],
    ['web app → integration subnet', ids.site, ids.subnetWeb, 'network', 'arm-reference'],
    ['connection string → SQL server', ids.site, ids.sql, 'data', 'connection-string'],
    ['app setting → storage queue host', ids.site, ids.storage, 'data', 'app-setting'],
    ['app setting → Redis host with port', ids.site, ids.redis, 'data', 'app-setting'],
    ['Key Vault reference → vault', ids.site, ids.vault, 'configuration', 'keyvault-reference'],
    ['app setting → another web app', ids.site, ids.api, 'data', 'app-setting'],
    ['app setting → host nobody owns', ids.site, 'external:payments.example.com', 'data', 'app-setting'],
    ['app gateway → backend web app by host', ids.agw, ids.site, 'network', 'arm-reference'],
    ['app gateway → backend IP nobody owns', ids.agw, 'external:10.9.9.9', 'network', 'arm-reference'],
    ['app gateway → frontend subnet', ids.agw, ids.subnetWeb, 'network', 'arm-reference'],
  ])('%s', (_label, source, target, category, method) => {
    const found = find(source, target);
    expect(found, `${name(source)} -> ${name(target)} in ${edges.map(arrow).join(', ')}`).toHaveLength(1);
    expect(found[0]).toMatchObject({ category, method });
    expect(found[0]?.strength).toBeGreaterThan(0);
    expect(found[0]?.evidence).toBeTruthy();
  });

  it('finds each fact once, however many ends report it, and no self-edge', () => {
    const keys = edges.map((e) => `${e.sourceId.toLowerCase()}|${e.targetId.toLowerCase()}|${e.method}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(edges.filter((e) => e.sourceId.toLowerCase() === e.targetId.toLowerCase())).toEqual([]);
    // subnet → NSG is reported by the VNet and by the NSG: one edge
    expect(find(ids.subnetWeb, ids.nsg)).toHaveLength(1);
  });

  it('keeps setting names as evidence and never a value', () => {
    const config = edges.filter((e) => e.sourceId === ids.site && e.method !== 'arm-reference');
    expect(config.map((e) => e.evidence).sort()).toEqual(
      [
        'setting API_URL',
        'setting CACHE',
        'setting Orders',
        'setting PAYMENTS_URL',
        'setting SECRET_REF',
        'setting STORAGE',
      ].sort(),
    );
  });

  it('makes no guesses unless asked, and labels them when asked', () => {
    expect(edges.some((e) => e.method === 'heuristic')).toBe(false);
    const guessed = detect(true).filter((e) => e.method === 'heuristic');
    expect(guessed.length).toBeGreaterThan(0);
    for (const g of guessed) expect(g.strength).toBeLessThan(0.5);
    // a fact already links web app → SQL server: no guess on top of it
    expect(guessed.some((g) => g.sourceId === ids.site && g.targetId === ids.sql)).toBe(false);
  });

  it('finds the same edges, with the same evidence, reading the estate one resource at a time in any order', () => {
    const describe = (list: Edge[]) =>
      list.map((e) => `${arrow(e)} ${e.method} ${e.category} ${e.strength} ${e.evidence}`).sort();
    for (const heuristics of [false, true]) {
      const estate = handMadeEstate();
      for (const order of [estate, [...estate].reverse()]) {
        const nodes = new NodeIndex();
        order.forEach((r) => nodes.add(r));
        const found: Edge[] = [];
        const detector = new EdgeDetector((e) => found.push(e), { heuristics });
        for (const r of order) detector.view(new PageView(nodes, [r]));
        detector.finish(new PageView(nodes, []));
        expect(describe(found)).toEqual(describe(detect(heuristics)));
      }
    }
  });

  it("takes an owner's list of dependents only for dependents it does not hold", () => {
    const outside = ids.nic.replace('nic-vm1', 'nic-elsewhere');
    const estate = handMadeEstate().map((r) =>
      r.id === ids.nsg
        ? { ...r, properties: { ...r.properties, networkInterfaceIds: [ids.nic, outside] } }
        : r,
    );
    const found = detectDependencies(new ResourceIndex(estate)).filter((e) => e.targetId === ids.nsg);
    expect(found.map((e) => `${name(e.sourceId)} ${e.evidence}`).sort()).toEqual([
      'nic-elsewhere nsg properties.networkInterfaceIds',
      'nic-vm1 properties.networkSecurityGroupId',
      'web properties.subnets[].networkSecurityGroupId',
    ]);
  });

  it('tolerates resources whose properties have other shapes', () => {
    const odd = handMadeEstate().map((r) => ({
      ...r,
      properties: { subnets: 'x', ipConfigurations: [null, 3], peerings: {} },
    }));
    expect(() => detectDependencies(new ResourceIndex(odd))).not.toThrow();
  });
});

describe('application edges', () => {
  it('links an application to its tagged resources, repositories and deployments', () => {
    const appId = applicationNodeId('production', 'shop');
    const index = new ResourceIndex([
      ...handMadeEstate(),
      {
        id: appId,
        name: 'shop',
        type: APPLICATION_TYPE,
        subscriptionId: '',
        resourceGroup: '',
        tags: {},
        properties: {
          resourceIds: [ids.site.toUpperCase(), ids.api],
          repositoryIds: ['R-1'],
          deploymentIds: [42],
        },
      },
    ]);
    const edges = detectDependencies(index).filter((e) => e.sourceId === appId);
    expect(edges.map((e) => `${e.targetId}|${e.method}`).sort()).toEqual(
      [
        `${ids.site}|tag`,
        `${ids.api}|tag`,
        `${repositoryNodeId('R-1')}|naming`,
        `${deploymentNodeId(42)}|naming`,
      ].sort(),
    );
    expect(index.node(repositoryNodeId('R-1'))).toMatchObject({ type: 'repository', external: false });
  });
});
