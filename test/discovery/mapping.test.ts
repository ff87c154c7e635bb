/* eslint-disable @typescript-eslint/no-explicit-any -- the mapped properties are free-form JSON; the assertions below are the type check */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArmClients, staticTokenCredential, type ArmClients } from '../../src/discovery/armClients';
import { DEDICATED, findDedicated } from '../../src/discovery/registry';
import type { DiscoveredItem } from '../../src/discovery/Resource';
import { SITE_CONFIG_LIST_ACTION } from '../../src/discovery/types/sites';
import { startArmEmulator, type ArmEmulator } from '../../src/emulator';
import { listAll } from '../support/listAll';

/** Mapping of every dedicated type over the connected demo estate: issue 7's property names. */
describe('mapping per type (connected demo estate, real SDK clients)', () => {
  let emulator: ArmEmulator;
  let arm: ArmClients;
  const byType = new Map<string, DiscoveredItem[]>();
  const of = (type: string): DiscoveredItem[] => byType.get(type) ?? [];
  const idSet = (type: string) => new Set(of(type).map((i) => i.id.toLowerCase()));
  const p = (i: DiscoveredItem | undefined) => (i?.properties ?? {}) as Record<string, any>;

  beforeAll(async () => {
    emulator = await startArmEmulator({ seed: 5, vmsPerSubscription: 12, latencyMs: 0 });
    arm = createArmClients({
      endpoint: emulator.endpoint,
      credential: staticTokenCredential('t'),
      caPem: emulator.caPem,
      maxRetries: 0,
    });
    for (const d of DEDICATED) {
      const items: DiscoveredItem[] = [];
      for (const sub of emulator.estate.subscriptions) {
        const listed = await listAll(d, arm, sub.subscriptionId, d.type).catch((e: { code?: string }) => {
          if (e.code === 'MissingSubscriptionRegistration') return { items: [] };
          throw e;
        });
        items.push(...listed.items);
      }
      byType.set(d.type, items);
    }
  });
  afterAll(async () => emulator?.close());

  it('finds every type of the estate', () => {
    for (const d of DEDICATED) expect(of(d.type).length, d.type).toBeGreaterThan(0);
  });

  it('virtual machines: flat size, disk, image and NIC fields; NICs exist', () => {
    const nics = idSet('Microsoft.Network/networkInterfaces');
    for (const vm of of('Microsoft.Compute/virtualMachines')) {
      const x = p(vm);
      for (const k of [
        'vmSize',
        'cores',
        'memoryMB',
        'osType',
        'osDiskName',
        'osDiskId',
        'osDiskSizeGB',
        'osDiskType',
        'imagePublisher',
        'imageOffer',
        'imageSku',
        'imageVersion',
        'powerState',
      ])
        expect(x[k], `${vm.name}.${k}`).toBeDefined();
      expect(Array.isArray(x.dataDisks)).toBe(true);
      for (const dd of x.dataDisks)
        expect(Object.keys(dd).sort()).toEqual(['id', 'lun', 'name', 'sizeGB', 'type']);
      expect(['running', 'deallocated', 'stopped']).toContain(x.powerState);
      expect(x.networkInterfaceIds.length).toBeGreaterThan(0);
      for (const n of x.networkInterfaceIds) expect(nics.has(n.toLowerCase())).toBe(true);
      expect(x).not.toHaveProperty('osDisk');
      expect(x).not.toHaveProperty('networkInterfaces');
    }
    expect(of('Microsoft.Compute/virtualMachines').some((v) => p(v).dataDisks.length === 0)).toBe(true);
  });

  it('disks: managedBy names the VM of an attached disk; unattached ones have none', () => {
    const vms = idSet('Microsoft.Compute/virtualMachines');
    for (const d of of('Microsoft.Compute/disks')) {
      expect(p(d)).toMatchObject({
        sizeGB: expect.any(Number),
        sku: expect.any(String),
        state: expect.any(String),
      });
      if (p(d).state === 'Attached') expect(vms.has(p(d).managedBy.toLowerCase())).toBe(true);
      else expect(p(d).managedBy).toBeUndefined();
    }
  });

  it('networks: subnets, NSGs, route tables, peerings across subscriptions', () => {
    const subnets = new Set(
      of('Microsoft.Network/virtualNetworks').flatMap((v) =>
        p(v).subnets.map((s: any) => s.id.toLowerCase()),
      ),
    );
    const nsgs = idSet('Microsoft.Network/networkSecurityGroups');
    const vnets = of('Microsoft.Network/virtualNetworks');
    for (const v of vnets) {
      expect(p(v).addressPrefixes.length).toBe(1);
      for (const s of p(v).subnets) {
        expect(s.addressPrefix ?? s.addressPrefixes).toBeDefined();
        if (s.networkSecurityGroupId) expect(nsgs.has(s.networkSecurityGroupId.toLowerCase())).toBe(true);
        expect(s.privateEndpointNetworkPolicies).toBeDefined();
      }
      expect(p(v).ddosProtectionEnabled).toBe(false);
    }
    expect(vnets.some((v) => p(v).subnets.some((s: any) => s.addressPrefixes))).toBe(true);
    expect(
      vnets.some((v) => p(v).subnets.some((s: any) => s.delegations.includes('Microsoft.Web/serverFarms'))),
    ).toBe(true);
    const peered = vnets.flatMap((v) => p(v).peerings.map((x: any) => [v.id, x] as const));
    expect(peered.length).toBeGreaterThan(0);
    for (const [from, x] of peered) {
      expect(x.peeringState).toBe('Connected');
      expect(x.remoteVirtualNetworkId.split('/')[2]).not.toBe(from.split('/')[2]);
    }
    for (const nic of of('Microsoft.Network/networkInterfaces'))
      for (const c of p(nic).ipConfigurations) expect(subnets.has(c.subnetId.toLowerCase())).toBe(true);
    const rules = of('Microsoft.Network/networkSecurityGroups').flatMap((n) => p(n).securityRules);
    expect(rules.some((r: any) => r.sourceAddressPrefixes && !('sourceAddressPrefix' in r))).toBe(true);
    expect(rules.some((r: any) => r.destinationPortRange && !('destinationPortRanges' in r))).toBe(true);
    expect(
      of('Microsoft.Network/networkSecurityGroups').every(
        (n) => p(n).subnetIds.length + p(n).networkInterfaceIds.length > 0,
      ),
    ).toBe(true);
    for (const t of of('Microsoft.Network/routeTables'))
      expect(p(t)).toMatchObject({
        routes: [expect.objectContaining({ nextHopType: 'VirtualAppliance' })],
        subnetIds: [expect.any(String)],
      });
  });

  it('load balancers: frontends on public IPs, pools of NIC ip configurations, rules and probes', () => {
    const pips = idSet('Microsoft.Network/publicIPAddresses');
    const nics = idSet('Microsoft.Network/networkInterfaces');
    const withMembers = of('Microsoft.Network/loadBalancers').filter(
      (lb) => p(lb).backendAddressPools[0].backendIPConfigurationIds.length,
    );
    expect(withMembers.length).toBeGreaterThan(0);
    for (const lb of of('Microsoft.Network/loadBalancers')) {
      const x = p(lb);
      expect(x.sku).toBe('Standard');
      expect(pips.has(x.frontendIPConfigurations[0].publicIPAddressId.toLowerCase())).toBe(true);
      for (const ipc of x.backendAddressPools[0].backendIPConfigurationIds)
        expect(nics.has(ipc.toLowerCase().replace(/\/ipconfigurations\/[^/]+$/, ''))).toBe(true);
      expect(x.loadBalancingRules[0]).toMatchObject({
        protocol: 'Tcp',
        frontendPort: 443,
        backendPort: 443,
        frontendIPConfigurationId: x.frontendIPConfigurations[0].id,
        backendAddressPoolId: x.backendAddressPools[0].id,
        probeId: x.probes[0].id,
      });
    }
    const pooled = of('Microsoft.Network/networkInterfaces').filter(
      (n) => p(n).ipConfigurations[0].loadBalancerBackendAddressPoolIds?.length,
    );
    expect(pooled.length).toBeGreaterThan(0);
    for (const pip of of('Microsoft.Network/publicIPAddresses'))
      expect(p(pip)).toMatchObject({
        ipAddress: expect.any(String),
        publicIPAllocationMethod: 'Static',
        sku: 'Standard',
      });
  });

  it('private endpoints reach storage, Key Vault and SQL; their NICs say so', () => {
    const targets = new Set([
      ...idSet('Microsoft.Storage/storageAccounts'),
      ...idSet('Microsoft.KeyVault/vaults'),
      ...idSet('Microsoft.Sql/servers'),
    ]);
    const kinds = new Set<string>();
    for (const pe of of('Microsoft.Network/privateEndpoints')) {
      const c = p(pe).privateLinkServiceConnections[0];
      expect(targets.has(c.privateLinkServiceId.toLowerCase())).toBe(true);
      expect(c.status).toBe('Approved');
      kinds.add(c.groupIds[0]);
      expect(p(pe).subnetId).toMatch(/subnets\/snet-pe$/);
    }
    expect([...kinds].sort()).toEqual(['blob', 'sqlServer', 'vault']);
    const peIds = idSet('Microsoft.Network/privateEndpoints');
    const peNics = of('Microsoft.Network/networkInterfaces').filter((n) => p(n).privateEndpointId);
    expect(peNics.length).toBe(peIds.size);
    for (const n of peNics) expect(peIds.has(p(n).privateEndpointId.toLowerCase())).toBe(true);
  });

  it('storage, Key Vault and App Configuration metadata', () => {
    for (const a of of('Microsoft.Storage/storageAccounts'))
      expect(p(a)).toMatchObject({
        skuName: expect.any(String),
        skuTier: 'Standard',
        kind: 'StorageV2',
        accessTier: 'Hot',
        httpsOnly: true,
        minimumTlsVersion: 'TLS1_2',
        allowBlobPublicAccess: false,
        encryptionServices: { blob: true, file: true, queue: true, table: true },
        encryptionKeySource: 'Microsoft.Storage',
        primaryEndpoints: { blob: expect.stringContaining('.blob.core.windows.net') },
        networkDefaultAction: expect.any(String),
        privateEndpointConnectionIds: expect.any(Array),
      });
    for (const v of of('Microsoft.KeyVault/vaults'))
      expect(p(v)).toMatchObject({
        sku: 'standard',
        vaultUri: expect.stringContaining('.vault.azure.net'),
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enableRbacAuthorization: expect.any(Boolean),
        publicNetworkAccess: 'Disabled',
        networkAcls: { defaultAction: 'Deny' },
        privateEndpointConnectionIds: [expect.any(String)],
      });
    for (const s of of('Microsoft.AppConfiguration/configurationStores'))
      expect(p(s)).toMatchObject({
        sku: 'standard',
        endpoint: expect.stringContaining('.azconfig.io'),
        publicNetworkAccess: 'Enabled',
        disableLocalAuth: true,
      });
  });

  it('App Service: sites with plan, subnet, setting names and the endpoints their values point at', () => {
    const plans = idSet('Microsoft.Web/serverfarms');
    const hosts = new Set([
      ...of('Microsoft.Sql/servers').map((s) => p(s).fullyQualifiedDomainName),
      ...of('Microsoft.Cache/redis').map((r) => p(r).hostName),
      ...of('Microsoft.KeyVault/vaults').map((v) => new URL(p(v).vaultUri).hostname),
      ...of('Microsoft.Storage/storageAccounts').map((a) => new URL(p(a).primaryEndpoints.blob).hostname),
      ...of('Microsoft.ServiceBus/namespaces').map((n) => new URL(p(n).serviceBusEndpoint).hostname),
      ...of('Microsoft.DocumentDB/databaseAccounts').map((a) => new URL(p(a).documentEndpoint).hostname),
    ]);
    const kinds = new Set<string>();
    for (const s of of('Microsoft.Web/sites')) {
      const x = p(s);
      expect(x).toMatchObject({
        kind: expect.any(String),
        state: expect.any(String),
        defaultHostName: expect.stringContaining('.azurewebsites.net'),
        httpsOnly: true,
        runtimeStack: expect.any(String),
        appSettingNames: expect.any(Array),
        connectionStrings: expect.any(Array),
      });
      expect(plans.has(x.serverFarmId.toLowerCase())).toBe(true);
      for (const e of x.referencedEndpoints) {
        expect(Object.keys(e).sort()).toEqual(
          e.keyVaultReference
            ? ['host', 'keyVaultReference', 'kind', 'settingName', 'source']
            : ['host', 'kind', 'settingName', 'source'],
        );
        if (e.kind !== 'applicationInsights') expect(hosts.has(e.host)).toBe(true);
        kinds.add(e.kind);
      }
    }
    expect([...kinds].sort()).toEqual([
      'applicationInsights',
      'cosmosDb',
      'keyVault',
      'redis',
      'serviceBus',
      'sql',
      'storage',
    ]);
    const web = of('Microsoft.Web/sites').find((s) => p(s).kind === 'app,linux');
    expect(p(web)).toMatchObject({
      identityType: 'SystemAssigned',
      virtualNetworkSubnetId: expect.stringMatching(/snet-integration$/),
      connectionStrings: [{ name: 'OrdersDb', type: 'SQLAzure' }],
    });
    expect(of('Microsoft.Web/sites').some((s) => s.status === 'stopped' || s.status === 'running')).toBe(
      true,
    );
    const json = JSON.stringify([...byType.values()]);
    for (const secret of emulator.estate.secrets) expect(json).not.toContain(secret);
    for (const f of of('Microsoft.Web/serverfarms'))
      expect(p(f)).toMatchObject({ kind: 'linux', sku: 'P1v3' });
  });

  it('AKS, SQL, Redis, Cosmos DB and Service Bus', () => {
    const subnets = new Set(
      of('Microsoft.Network/virtualNetworks').flatMap((v) =>
        p(v).subnets.map((s: any) => s.id.toLowerCase()),
      ),
    );
    for (const c of of('Microsoft.ContainerService/managedClusters')) {
      expect(p(c)).toMatchObject({
        kubernetesVersion: '1.30.4',
        nodeResourceGroup: expect.stringMatching(/^MC_/),
        networkPlugin: 'azure',
        privateCluster: expect.any(Boolean),
        identityType: 'SystemAssigned',
      });
      for (const pool of p(c).agentPools) {
        expect(pool).toMatchObject({
          name: expect.any(String),
          vmSize: expect.any(String),
          count: expect.any(Number),
          mode: expect.any(String),
        });
        expect(subnets.has(pool.subnetId.toLowerCase())).toBe(true);
      }
    }
    const servers = idSet('Microsoft.Sql/servers');
    for (const s of of('Microsoft.Sql/servers'))
      expect(p(s)).toMatchObject({
        fullyQualifiedDomainName: expect.stringContaining('.database.windows.net'),
        publicNetworkAccess: 'Disabled',
      });
    for (const db of of('Microsoft.Sql/servers/databases')) {
      expect(p(db)).toMatchObject({ sku: expect.any(String), maxSizeBytes: expect.any(Number) });
      expect(servers.has(p(db).serverId.toLowerCase())).toBe(true);
      expect(db.name).not.toContain('/');
    }
    for (const r of of('Microsoft.Cache/redis')) {
      expect(r.type).toBe(findDedicated('Microsoft.Cache/Redis')?.type);
      expect(p(r)).toMatchObject({
        hostName: expect.stringContaining('.redis.cache.windows.net'),
        sslPort: 6380,
        enableNonSslPort: false,
        sku: 'Standard C1',
        publicNetworkAccess: 'Enabled',
      });
    }
    for (const a of of('Microsoft.DocumentDB/databaseAccounts')) {
      expect(p(a)).toMatchObject({
        documentEndpoint: expect.stringContaining('.documents.azure.com'),
        publicNetworkAccess: 'Enabled',
      });
      expect(a.location).toMatch(/^[a-z0-9]+$/);
    }
    for (const n of of('Microsoft.ServiceBus/namespaces'))
      expect(p(n)).toMatchObject({
        serviceBusEndpoint: expect.stringContaining('.servicebus.windows.net'),
        publicNetworkAccess: 'Enabled',
        networkDefaultAction: 'Allow',
      });
  });

  it('every item has a status from its provisioning or power state', () => {
    for (const [type, items] of byType)
      for (const i of items)
        expect(['running', 'stopped', 'error', 'degraded'], `${type} ${i.name}`).toContain(i.status);
  });

  it('without the config/list action, sites are inventoried and the missing permission is named once', async () => {
    const denied = await startArmEmulator({
      seed: 5,
      vmsPerSubscription: 2,
      subscriptionCount: 1,
      latencyMs: 0,
      denyActions: [SITE_CONFIG_LIST_ACTION],
    });
    try {
      const client = createArmClients({
        endpoint: denied.endpoint,
        credential: staticTokenCredential('t'),
        caPem: denied.caPem,
        maxRetries: 0,
      });
      const sites = findDedicated('Microsoft.Web/sites');
      const sub = denied.estate.subscriptions[0]?.subscriptionId as string;
      const listed = await listAll(sites!, client, sub, 'Microsoft.Web/sites');
      expect(listed.items.length).toBe(
        denied.estate.subscriptions[0]?.resources.filter((r) => r.type === 'Microsoft.Web/sites').length,
      );
      for (const s of listed.items) expect(s.properties.referencedEndpoints).toBeUndefined();
      expect(listed.warnings).toHaveLength(listed.pages);
      expect(listed.warnings[0]).toMatchObject({
        code: 'MissingPermission',
        message: expect.stringContaining(SITE_CONFIG_LIST_ACTION),
      });
    } finally {
      await denied.close();
    }
  });
});
