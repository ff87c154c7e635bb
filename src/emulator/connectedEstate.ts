/**
 * Makes the generated estate *connected*: around each resource group's VMs it builds the
 * application they belong to — a VNet with subnets, NSGs on subnets and jump-host NICs, route
 * tables, the VMs' NICs and disks, a load balancer before the web tier, a scale set, storage,
 * Key Vault and SQL behind private endpoints, App Service apps whose settings point at storage,
 * SQL, Redis, Service Bus, Cosmos DB and Key Vault (with fake secrets), AKS in a subnet, and
 * resources only the generic list knows. Each provider module builds its own bodies.
 */
import { rgId, type EmulatedResource, type Placement } from './EmulatedResource';
import type { EmulatedResourceGroup } from './estate';
import type { Prng } from './prng';
import type { EmulatedVm } from './providers/EmulatedVm';
import { configurationStore } from './providers/appConfiguration';
import { redisCache } from './providers/cache';
import { disk, virtualMachineScaleSet } from './providers/compute';
import { managedCluster } from './providers/containerService';
import { databaseAccount } from './providers/documentDb';
import { vault } from './providers/keyVault';
import { applicationInsights, logAnalyticsWorkspace, userAssignedIdentity } from './providers/monitoring';
import {
  applicationGateway,
  loadBalancer,
  networkInterface,
  networkSecurityGroup,
  privateEndpoint,
  publicIPAddress,
  routeTable,
  virtualNetwork,
  type PeeringSpec,
  type SubnetSpec,
} from './providers/network';
import { serviceBusNamespace } from './providers/serviceBus';
import { sqlDatabase, sqlServer } from './providers/sql';
import { storageAccount } from './providers/storage';
import { appServicePlan, site } from './providers/web';

export interface ConnectedSubscription {
  resources: EmulatedResource[];
  /** every fake secret placed in a setting or connection string */
  secrets: string[];
  /** the first VNet (peered across subscriptions) and its peering list, filled later */
  hub?: { id: string; peerings: PeeringSpec[] };
}

const ROLE = /^(web|api|sql|app|batch|cache|jump|dc|etl|worker)/i;

function short(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function connectSubscription(
  rng: Prng,
  subscriptionId: string,
  tenantId: string,
  subIndex: number,
  resourceGroups: EmulatedResourceGroup[],
  vms: readonly EmulatedVm[],
  options: { aks: boolean },
): ConnectedSubscription {
  const out: EmulatedResource[] = [];
  const secrets: string[] = [];
  let hub: ConnectedSubscription['hub'];
  const secret = (kind: string): string => {
    const s = `FAKE${kind}SECRET${rng.hex(24)}`;
    secrets.push(s);
    return s;
  };
  const vmsByRg = new Map<string, EmulatedVm[]>();
  for (const vm of vms) {
    const k = vm.resourceGroup.toLowerCase();
    vmsByRg.set(k, [...(vmsByRg.get(k) ?? []), vm]);
  }

  resourceGroups.forEach((rg, rgIndex) => {
    const rgVms = vmsByRg.get(rg.name.toLowerCase()) ?? [];
    const app = short(rg.name.replace(/^rg-?/i, '').replace(/-?rg$/i, '')).slice(0, 10) || 'app';
    const env = /prod/i.test(rg.name)
      ? 'prod'
      : /dev/i.test(rg.name)
        ? 'dev'
        : /test|qa/i.test(rg.name)
          ? 'test'
          : 'staging';
    const tags: Record<string, string> = {
      application: app,
      environment: env,
      owner: `team-${app}@contoso.com`,
    };
    if (rgIndex % 3 === 1) {
      delete tags.application;
      tags.app_name = app;
    }
    const p: Placement = { subscriptionId, resourceGroup: rg.name, location: rg.location, tags };
    const base = rgId(subscriptionId, rg.name);
    const uniq = rng.hex(6);
    const octet = (subIndex * 40 + rgIndex) % 250;

    // network: NSGs and route table first (subnets reference them)
    const vnetName = `vnet-${app}-${env}`;
    const vnetId = `${base}/providers/Microsoft.Network/virtualNetworks/${vnetName}`;
    const subnetId = (n: string): string => `${vnetId}/subnets/${n}`;
    const nsgId = (n: string): string => `${base}/providers/Microsoft.Network/networkSecurityGroups/${n}`;
    const rtId = `${base}/providers/Microsoft.Network/routeTables/rt-${app}-${env}`;
    const subnets: SubnetSpec[] = [
      { name: 'snet-web', prefix: `10.${octet}.1.0/24`, nsgId: nsgId(`nsg-${app}-web`) },
      {
        name: 'snet-app',
        prefix: `10.${octet}.2.0/24`,
        nsgId: nsgId(`nsg-${app}-app`),
        routeTableId: rtId,
        plural: rgIndex % 2 === 1,
      },
      { name: 'snet-data', prefix: `10.${octet}.3.0/24`, nsgId: nsgId(`nsg-${app}-data`) },
      { name: 'snet-pe', prefix: `10.${octet}.4.0/24`, privateEndpointPolicies: 'Disabled' },
      { name: 'snet-integration', prefix: `10.${octet}.5.0/24`, delegation: 'Microsoft.Web/serverFarms' },
      { name: 'snet-aks', prefix: `10.${octet}.64.0/18` },
    ];
    const peerings: PeeringSpec[] = [];
    out.push(virtualNetwork(p, vnetName, `10.${octet}.0.0/16`, subnets, peerings));
    if (rgIndex === 0) hub = { id: vnetId, peerings };
    out.push(routeTable(p, `rt-${app}-${env}`, [subnetId('snet-app')]));

    const ip = new Map<string, number>();
    const nextIp = (subnet: string): string => {
      const n = (ip.get(subnet) ?? 3) + 1;
      ip.set(subnet, n);
      const third = subnets.findIndex((s) => s.name === subnet) + 1;
      return `10.${octet}.${third}.${n % 250}`;
    };

    // VMs' NICs and disks; web VMs behind a load balancer
    const lbName = `lb-${app}-web`;
    const lbId = `${base}/providers/Microsoft.Network/loadBalancers/${lbName}`;
    const poolId = `${lbId}/backendAddressPools/backend`;
    const backendIpConfigs: string[] = [];
    const jumpNics: string[] = [];
    const nicsBySubnet = new Map<string, string[]>();
    for (const vm of rgVms) {
      const role = (ROLE.exec(vm.name)?.[1] ?? 'app').toLowerCase();
      const subnet = role === 'web' ? 'snet-web' : role === 'sql' ? 'snet-data' : 'snet-app';
      vm.nicIds.forEach((nicId, i) => {
        const nicName = nicId.split('/').pop() as string;
        const ipcId = `${nicId}/ipConfigurations/ipconfig1`;
        const inPool = role === 'web' && i === 0;
        if (inPool) backendIpConfigs.push(ipcId);
        const ownNsg = role === 'jump' ? nsgId(`nsg-${app}-jump`) : undefined;
        if (ownNsg) jumpNics.push(nicId);
        nicsBySubnet.set(subnet, [...(nicsBySubnet.get(subnet) ?? []), nicId]);
        out.push(
          networkInterface(
            { ...p, resourceGroup: vm.nicResourceGroup, location: vm.location },
            nicName,
            [
              {
                name: 'ipconfig1',
                privateIPAddress: nextIp(subnet),
                subnetId: subnetId(subnet),
                ...(inPool ? { backendPoolIds: [poolId] } : {}),
              },
            ],
            { virtualMachineId: vm.id, nsgId: ownNsg, primary: i === 0 },
          ),
        );
      });
      for (const d of vm.disks) {
        out.push(
          disk(
            { ...p, location: vm.location },
            d.name,
            d.sizeGB,
            d.skuName,
            vm.id,
            d.os ? vm.osType : undefined,
          ),
        );
      }
    }
    // one unattached disk now and then: managedBy absent
    if (rng.chance(0.3)) out.push(disk(p, `disk-${app}-orphan-${uniq}`, 128, 'Standard_LRS', undefined));

    const webRule = {
      name: 'allow-https',
      priority: 100,
      direction: 'Inbound' as const,
      access: 'Allow' as const,
      protocol: 'Tcp',
      source: 'Internet',
      destinationPorts: '443',
    };
    const appRule = {
      name: 'allow-web',
      priority: 110,
      direction: 'Inbound' as const,
      access: 'Allow' as const,
      protocol: 'Tcp',
      source: [`10.${octet}.1.0/24`, `10.${octet}.5.0/24`],
      destinationPorts: ['8080', '8443'],
    };
    const dataRule = {
      name: 'allow-sql',
      priority: 120,
      direction: 'Inbound' as const,
      access: 'Allow' as const,
      protocol: 'Tcp',
      source: `10.${octet}.2.0/24`,
      destinationPorts: '1433',
    };
    const denyAll = {
      name: 'deny-all',
      priority: 4096,
      direction: 'Inbound' as const,
      access: 'Deny' as const,
      protocol: '*',
      source: '*',
      destinationPorts: '*',
    };
    out.push(networkSecurityGroup(p, `nsg-${app}-web`, [webRule, denyAll], [subnetId('snet-web')], []));
    out.push(networkSecurityGroup(p, `nsg-${app}-app`, [appRule, denyAll], [subnetId('snet-app')], []));
    out.push(networkSecurityGroup(p, `nsg-${app}-data`, [dataRule, denyAll], [subnetId('snet-data')], []));
    if (jumpNics.length) {
      out.push(
        networkSecurityGroup(
          p,
          `nsg-${app}-jump`,
          [{ ...webRule, name: 'allow-ssh', destinationPorts: ['22', '3389'], source: ['203.0.113.0/24'] }],
          [],
          jumpNics,
        ),
      );
    }

    const pipName = `pip-${lbName}`;
    const pipId = `${base}/providers/Microsoft.Network/publicIPAddresses/${pipName}`;
    out.push(
      publicIPAddress(
        p,
        pipName,
        `20.${octet}.${subIndex}.${rgIndex + 10}`,
        `${lbId}/frontendIPConfigurations/frontend`,
        `${app}-${env}-${uniq}`,
      ),
    );
    out.push(loadBalancer(p, lbName, { publicIPAddressId: pipId }, backendIpConfigs, 443));
    out.push(
      virtualMachineScaleSet(
        p,
        `vmss-${app}-worker`,
        'Standard_D2s_v5',
        rng.int(2, 6),
        subnetId('snet-app'),
        [],
      ),
    );

    // data services, some behind private endpoints (each endpoint has its NIC, as in Azure)
    const peFor = (target: EmulatedResource, groupId: string): string => {
      const peName = `pe-${target.name}-${groupId}`;
      const peId = `${base}/providers/Microsoft.Network/privateEndpoints/${peName}`;
      const nicName = `${peName}.nic.${rng.guid()}`;
      const nicId = `${base}/providers/Microsoft.Network/networkInterfaces/${nicName}`;
      out.push(privateEndpoint(p, peName, subnetId('snet-pe'), target.id, groupId, nicId));
      out.push(
        networkInterface(
          p,
          nicName,
          [
            {
              name: `privateEndpointIpConfig.${rng.guid()}`,
              privateIPAddress: nextIp('snet-pe'),
              subnetId: subnetId('snet-pe'),
            },
          ],
          { privateEndpointId: peId },
        ),
      );
      return `${target.id}/privateEndpointConnections/${peName}.${rng.hex(8)}`;
    };
    const stName = `st${app}${env}${uniq}`.slice(0, 24);
    const stId = `${base}/providers/Microsoft.Storage/storageAccounts/${stName}`;
    const stPlaceholder = { id: stId, name: stName } as EmulatedResource;
    const stPec = rgIndex % 2 === 0 ? [peFor(stPlaceholder, 'blob')] : [];
    out.push(
      storageAccount(p, stName, {
        skuName: rng.chance(0.5) ? 'Standard_LRS' : 'Standard_ZRS',
        privateEndpointConnectionIds: stPec,
        publicAccess: !stPec.length,
      }),
    );

    const kvName = `kv-${app}-${uniq}`.slice(0, 24);
    const kvId = `${base}/providers/Microsoft.KeyVault/vaults/${kvName}`;
    const kvPec = [peFor({ id: kvId, name: kvName } as EmulatedResource, 'vault')];
    out.push(vault(p, kvName, tenantId, kvPec, rgIndex % 2 === 0));

    const sqlName = `sql-${app}-${env}-${uniq}`;
    const sqlId = `${base}/providers/Microsoft.Sql/servers/${sqlName}`;
    const sqlPec = [peFor({ id: sqlId, name: sqlName } as EmulatedResource, 'sqlServer')];
    const server = sqlServer(p, sqlName, sqlPec);
    out.push(server);
    const dbNames = ['orders', 'catalog', 'audit'].slice(0, rng.int(1, 3));
    for (const db of dbNames)
      out.push(
        sqlDatabase(
          p,
          server,
          `${app}-${db}`,
          rng.chance(0.5) ? 'GP_Gen5_2' : 'S1',
          rng.pick([32, 250, 500]),
        ),
      );

    const redisName = `redis-${app}-${env}-${uniq}`;
    out.push(redisCache(p, redisName));
    const sbName = `sb-${app}-${env}-${uniq}`;
    out.push(serviceBusNamespace(p, sbName));
    const cosmosName = `cosmos-${app}-${env}-${uniq}`;
    out.push(databaseAccount(p, cosmosName));
    out.push(configurationStore(p, `appcs-${app}-${env}-${uniq}`));

    // App Service: a plan, a web app and a function app whose settings point at the above
    const planName = `asp-${app}-${env}`;
    const planId = `${base}/providers/Microsoft.Web/serverfarms/${planName}`;
    out.push(appServicePlan(p, planName, true, 2));
    const webName = `app-${app}-${env}-${uniq}`;
    const funcName = `func-${app}-${env}-${uniq}`;
    const sqlSecret = secret('SQL');
    out.push(
      site(p, webName, {
        kind: 'app,linux',
        serverFarmId: planId,
        subnetId: subnetId('snet-integration'),
        linuxFxVersion: rng.pick(['NODE|20-lts', 'DOTNETCORE|8.0', 'PYTHON|3.12', 'JAVA|17-java17']),
        identity: 'SystemAssigned',
        state: 'Running',
        appSettings: {
          APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${rng.guid()};IngestionEndpoint=https://${p.location}-1.in.applicationinsights.azure.com/`,
          STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=https;AccountName=${stName};AccountKey=${secret('STORAGE')}==;EndpointSuffix=core.windows.net`,
          REDIS_CONNECTION: `${redisName}.redis.cache.windows.net:6380,password=${secret('REDIS')},ssl=True,abortConnect=False`,
          ServiceBusConnection: `Endpoint=sb://${sbName}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${secret('SERVICEBUS')}=`,
          COSMOS_CONNECTION: `AccountEndpoint=https://${cosmosName}.documents.azure.com:443/;AccountKey=${secret('COSMOS')}==;`,
          API_KEY: `@Microsoft.KeyVault(SecretUri=https://${kvName}.vault.azure.net/secrets/api-key/)`,
          FEATURE_FLAGS: 'checkout=on',
          WEBSITE_RUN_FROM_PACKAGE: '1',
        },
        connectionStrings: {
          OrdersDb: {
            value: `Server=tcp:${sqlName}.database.windows.net,1433;Initial Catalog=${app}-orders;User ID=app;Password=${sqlSecret};Encrypt=True;`,
            type: 'SQLAzure',
          },
        },
      }),
    );
    out.push(
      site(p, funcName, {
        kind: 'functionapp,linux',
        serverFarmId: planId,
        linuxFxVersion: 'NODE|20',
        state: rng.chance(0.9) ? 'Running' : 'Stopped',
        appSettings: {
          AzureWebJobsStorage: `DefaultEndpointsProtocol=https;AccountName=${stName};AccountKey=${secret('STORAGE')}==;EndpointSuffix=core.windows.net`,
          FUNCTIONS_WORKER_RUNTIME: 'node',
          KeyVaultSecret: `@Microsoft.KeyVault(VaultName=${kvName};SecretName=queue-key)`,
        },
        connectionStrings: {},
      }),
    );

    if (options.aks && /api|web/i.test(rg.name)) {
      const aksName = `aks-${app}-${env}`;
      out.push(
        managedCluster(p, aksName, subnetId('snet-aks'), rgIndex % 2 === 0, {
          entra: rgIndex % 2 === 1,
          ...(rgIndex === 0
            ? {
                applicationGatewayId: `${base}/providers/Microsoft.Network/applicationGateways/agw-${app}-${env}`,
              }
            : {}),
        }),
      );
      // What the cluster's workloads use (src/emulator/kubernetes/): its LoadBalancer service's IP, a volume's disk.
      out.push(publicIPAddress(p, `pip-${aksName}`, `20.${octet}.${subIndex}.${rgIndex + 100}`, undefined));
      out.push(disk(p, `disk-${aksName}-data`, 64, 'Premium_LRS', undefined));
    }
    const lawName = `law-${app}-${env}`;
    const law = logAnalyticsWorkspace(p, lawName);
    out.push(law);
    out.push(applicationInsights(p, `appi-${app}-${env}`, law.id));
    out.push(userAssignedIdentity(p, `id-${app}-${env}`));

    if (rgIndex === 0) {
      const agwPip = `pip-agw-${app}`;
      const agwPipId = `${base}/providers/Microsoft.Network/publicIPAddresses/${agwPip}`;
      out.push(publicIPAddress(p, agwPip, `20.${octet}.${subIndex}.200`, undefined));
      out.push(
        applicationGateway(p, `agw-${app}-${env}`, agwPipId, subnetId('snet-web'), [
          `${webName}.azurewebsites.net`,
        ]),
      );
    }
  });
  return { resources: out, secrets, ...(hub ? { hub } : {}) };
}

/** A peering between each subscription's hub and the first subscription's, both directions. */
export function peerAcrossSubscriptions(subs: ConnectedSubscription[]): void {
  const first = subs[0]?.hub;
  if (!first) return;
  subs.slice(1).forEach((s, i) => {
    if (!s.hub) return;
    s.hub.peerings.push({ name: `peer-to-hub`, remoteVirtualNetworkId: first.id, peeringState: 'Connected' });
    first.peerings.push({
      name: `peer-spoke-${i + 1}`,
      remoteVirtualNetworkId: s.hub.id,
      peeringState: 'Connected',
    });
  });
}
