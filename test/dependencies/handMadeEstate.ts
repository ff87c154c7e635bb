import type { IndexedResource } from '../../src/dependencies/readProperties';

/** A small connected estate, written by hand with the property names discovery produces (issue 7). */
export const SUB = '11111111-1111-1111-1111-111111111111';
export const SUB2 = '22222222-2222-2222-2222-222222222222';
const rg = (sub: string, group: string) => `/subscriptions/${sub}/resourceGroups/${group}/providers`;
const P = rg(SUB, 'rg-app');
const NODES = rg(SUB, 'MC_rg-app_aks_eastus');

export const ids = {
  vnet: `${P}/Microsoft.Network/virtualNetworks/vnet-app`,
  subnetWeb: `${P}/Microsoft.Network/virtualNetworks/vnet-app/subnets/web`,
  subnetData: `${P}/Microsoft.Network/virtualNetworks/vnet-app/subnets/data`,
  remoteVnet: `${rg(SUB2, 'rg-hub')}/Microsoft.Network/virtualNetworks/vnet-hub`,
  nsg: `${P}/Microsoft.Network/networkSecurityGroups/nsg-web`,
  routes: `${P}/Microsoft.Network/routeTables/rt-web`,
  pip: `${P}/Microsoft.Network/publicIPAddresses/pip-lb`,
  nic: `${P}/Microsoft.Network/networkInterfaces/nic-vm1`,
  vm: `${P}/Microsoft.Compute/virtualMachines/vm1`,
  osDisk: `${P}/Microsoft.Compute/disks/vm1-os`,
  dataDisk: `${P}/Microsoft.Compute/disks/vm1-data`,
  avset: `${P}/Microsoft.Compute/availabilitySets/as-web`,
  lb: `${P}/Microsoft.Network/loadBalancers/lb-web`,
  vmss: `${P}/Microsoft.Compute/virtualMachineScaleSets/ss-web`,
  aks: `${P}/Microsoft.ContainerService/managedClusters/aks`,
  aksPool: `${NODES}/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-123`,
  pe: `${P}/Microsoft.Network/privateEndpoints/pe-sql`,
  sql: `${P}/Microsoft.Sql/servers/sql-app`,
  db: `${P}/Microsoft.Sql/servers/sql-app/databases/orders`,
  plan: `${P}/Microsoft.Web/serverfarms/plan-app`,
  site: `${P}/Microsoft.Web/sites/web-app`,
  api: `${P}/Microsoft.Web/sites/api-app`,
  storage: `${P}/Microsoft.Storage/storageAccounts/stapp`,
  redis: `${P}/Microsoft.Cache/redis/redis-app`,
  vault: `${P}/Microsoft.KeyVault/vaults/kv-app`,
  agw: `${P}/Microsoft.Network/applicationGateways/agw`,
};

function r(
  id: string,
  type: string,
  properties: Record<string, unknown>,
  tags: Record<string, string> = {},
): IndexedResource {
  const parts = id.split('/');
  return {
    id,
    name: parts[parts.length - 1] as string,
    type,
    subscriptionId: (parts[2] as string).toLowerCase(),
    resourceGroup: parts[4] as string,
    tags,
    properties,
  };
}

export function handMadeEstate(): IndexedResource[] {
  return [
    r(ids.vnet, 'Microsoft.Network/virtualNetworks', {
      addressPrefixes: ['10.0.0.0/16'],
      subnets: [
        { id: ids.subnetWeb, name: 'web', networkSecurityGroupId: ids.nsg, routeTableId: ids.routes },
        { id: ids.subnetData, name: 'data' },
      ],
      peerings: [{ remoteVirtualNetworkId: ids.remoteVnet, peeringState: 'Connected' }],
    }),
    r(ids.remoteVnet, 'Microsoft.Network/virtualNetworks', { subnets: [] }),
    r(ids.nsg, 'Microsoft.Network/networkSecurityGroups', { securityRules: [], subnetIds: [ids.subnetWeb] }),
    r(ids.routes, 'Microsoft.Network/routeTables', { routes: [], subnetIds: [ids.subnetWeb] }),
    r(ids.pip, 'Microsoft.Network/publicIPAddresses', { ipAddress: '20.1.2.3' }),
    r(ids.nic, 'Microsoft.Network/networkInterfaces', {
      // the resource group upper-cased, as some Azure answers do
      ipConfigurations: [
        {
          name: 'ipconfig1',
          privateIPAddress: '10.0.1.4',
          subnetId: ids.subnetWeb.replace('rg-app', 'RG-APP'),
        },
      ],
      networkSecurityGroupId: ids.nsg,
      virtualMachineId: ids.vm,
    }),
    r(ids.vm, 'Microsoft.Compute/virtualMachines', {
      networkInterfaceIds: [ids.nic],
      osDiskId: ids.osDisk,
      dataDisks: [{ name: 'vm1-data', id: ids.dataDisk, lun: 0 }],
      availabilitySetId: ids.avset.toUpperCase(),
    }),
    r(ids.osDisk, 'Microsoft.Compute/disks', { managedBy: ids.vm }),
    r(ids.dataDisk, 'Microsoft.Compute/disks', { managedBy: ids.vm }),
    r(ids.lb, 'Microsoft.Network/loadBalancers', {
      frontendIPConfigurations: [
        { id: `${ids.lb}/frontendIPConfigurations/fe`, name: 'fe', publicIPAddressId: ids.pip },
      ],
      backendAddressPools: [
        {
          id: `${ids.lb}/backendAddressPools/be`,
          name: 'be',
          backendIPConfigurationIds: [
            `${ids.nic}/ipConfigurations/ipconfig1`,
            `${ids.vmss}/virtualMachines/0/networkInterfaces/nic/ipConfigurations/ip`,
          ],
        },
      ],
    }),
    r(ids.vmss, 'Microsoft.Compute/virtualMachineScaleSets', { subnetIds: [ids.subnetWeb] }),
    r(ids.aks, 'Microsoft.ContainerService/managedClusters', {
      nodeResourceGroup: 'MC_rg-app_aks_eastus',
      agentPools: [{ name: 'nodepool1', subnetId: ids.subnetData }],
    }),
    r(ids.aksPool, 'Microsoft.Compute/virtualMachineScaleSets', {}),
    r(ids.pe, 'Microsoft.Network/privateEndpoints', {
      subnetId: ids.subnetData,
      privateLinkServiceConnections: [
        { privateLinkServiceId: ids.sql, groupIds: ['sqlServer'], status: 'Approved' },
      ],
    }),
    r(ids.sql, 'Microsoft.Sql/servers', { fullyQualifiedDomainName: 'sql-app.database.windows.net' }),
    r(ids.db, 'Microsoft.Sql/servers/databases', { sku: 'S0' }),
    r(ids.plan, 'Microsoft.Web/serverfarms', {}),
    r(ids.storage, 'Microsoft.Storage/storageAccounts', {
      primaryEndpoints: {
        blob: 'https://stapp.blob.core.windows.net/',
        queue: 'https://stapp.queue.core.windows.net/',
      },
    }),
    r(ids.redis, 'Microsoft.Cache/redis', { hostName: 'redis-app.redis.cache.windows.net', sslPort: 6380 }),
    r(ids.vault, 'Microsoft.KeyVault/vaults', { vaultUri: 'https://kv-app.vault.azure.net/' }),
    r(
      ids.site,
      'Microsoft.Web/sites',
      {
        defaultHostName: 'web-app.azurewebsites.net',
        serverFarmId: ids.plan,
        virtualNetworkSubnetId: ids.subnetWeb,
        appSettingNames: ['STORAGE', 'API_URL', 'PAYMENTS_URL', 'SECRET_REF'],
        connectionStrings: [{ name: 'Orders', type: 'SQLAzure' }],
        referencedEndpoints: [
          { settingName: 'Orders', host: 'sql-app.database.windows.net', kind: 'sql' },
          { settingName: 'STORAGE', host: 'stapp.queue.core.windows.net', kind: 'storage' },
          { settingName: 'CACHE', host: 'redis-app.redis.cache.windows.net:6380', kind: 'redis' },
          { settingName: 'SECRET_REF', host: 'kv-app.vault.azure.net', kind: 'keyvault-reference' },
          { settingName: 'API_URL', host: 'api-app.azurewebsites.net', kind: 'endpoint' },
          { settingName: 'PAYMENTS_URL', host: 'payments.example.com', kind: 'endpoint' },
          { settingName: 'SELF', host: 'web-app.azurewebsites.net', kind: 'endpoint' },
          { settingName: 'BROKEN', host: 'not a host', kind: 'endpoint' },
        ],
      },
      { application: 'shop' },
    ),
    r(
      ids.api,
      'Microsoft.Web/sites',
      { defaultHostName: 'api-app.azurewebsites.net', serverFarmId: ids.plan },
      { application: 'shop' },
    ),
    r(ids.agw, 'Microsoft.Network/applicationGateways', {
      frontendIPConfigurations: [{ name: 'fe', subnetId: ids.subnetWeb }],
      backendAddressPools: [
        {
          name: 'pool',
          backendAddresses: [{ fqdn: 'web-app.azurewebsites.net' }, { ipAddress: '10.9.9.9' }],
        },
      ],
    }),
  ];
}
