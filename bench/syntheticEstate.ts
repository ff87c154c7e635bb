import type { IndexedResource } from '../src/dependencies/readProperties';

/**
 * A connected estate for the dependency benchmark, in units of 16 resources: a VNet with two
 * subnets, an NSG, a load balancer and its public IP, two VMs with a NIC and two disks each, a
 * web app on a plan whose settings name a storage account, a SQL server (and a database) and a
 * vault; every fourth unit's VNet peers with the previous unit's.
 */
export function syntheticEstate(resources: number, subscriptions = 3): IndexedResource[] {
  const out: IndexedResource[] = [];
  const units = Math.ceil(resources / 16);
  for (let u = 0; u < units; u++) {
    const sub = `0000000${u % subscriptions}-0000-0000-0000-000000000000`;
    const rgName = `rg-app-${u}`;
    const p = `/subscriptions/${sub}/resourceGroups/${rgName}/providers`;
    const add = (type: string, name: string, properties: Record<string, unknown>) => {
      const id = `${p}/${type}/${name}`;
      out.push({
        id,
        name,
        type,
        subscriptionId: sub,
        resourceGroup: rgName,
        tags: { application: `app${u % 50}` },
        properties,
      });
      return id;
    };
    const vnetId = `${p}/Microsoft.Network/virtualNetworks/vnet-${u}`;
    const subnet = (n: string) => `${vnetId}/subnets/${n}`;
    const nsg = add('Microsoft.Network/networkSecurityGroups', `nsg-${u}`, { subnetIds: [subnet('web')] });
    add('Microsoft.Network/virtualNetworks', `vnet-${u}`, {
      subnets: [
        { id: subnet('web'), name: 'web', networkSecurityGroupId: nsg },
        { id: subnet('data'), name: 'data' },
      ],
      peerings:
        u % 4 === 3
          ? [
              {
                remoteVirtualNetworkId: `/subscriptions/0000000${(u - 1) % subscriptions}-0000-0000-0000-000000000000/resourceGroups/rg-app-${u - 1}/providers/Microsoft.Network/virtualNetworks/vnet-${u - 1}`,
              },
            ]
          : [],
    });
    const pip = add('Microsoft.Network/publicIPAddresses', `pip-${u}`, {
      ipAddress: `20.0.${u % 250}.${u % 200}`,
    });
    const nics: string[] = [];
    for (const v of [0, 1]) {
      const vm = `${p}/Microsoft.Compute/virtualMachines/vm-${u}-${v}`;
      const nic = add('Microsoft.Network/networkInterfaces', `nic-${u}-${v}`, {
        ipConfigurations: [
          { name: 'ip', subnetId: subnet('web'), privateIPAddress: `10.${u % 250}.0.${v + 4}` },
        ],
        networkSecurityGroupId: nsg,
        virtualMachineId: vm,
      });
      nics.push(nic);
      const os = add('Microsoft.Compute/disks', `vm-${u}-${v}-os`, { managedBy: vm });
      const data = add('Microsoft.Compute/disks', `vm-${u}-${v}-data`, { managedBy: vm });
      add('Microsoft.Compute/virtualMachines', `vm-${u}-${v}`, {
        networkInterfaceIds: [nic],
        osDiskId: os,
        dataDisks: [{ id: data, lun: 0 }],
      });
    }
    add('Microsoft.Network/loadBalancers', `lb-${u}`, {
      frontendIPConfigurations: [{ name: 'fe', publicIPAddressId: pip }],
      backendAddressPools: [
        { name: 'be', backendIPConfigurationIds: nics.map((n) => `${n}/ipConfigurations/ip`) },
      ],
    });
    add('Microsoft.Storage/storageAccounts', `st${u}`, {
      primaryEndpoints: { blob: `https://st${u}.blob.core.windows.net/` },
    });
    const sql = add('Microsoft.Sql/servers', `sql-${u}`, {
      fullyQualifiedDomainName: `sql-${u}.database.windows.net`,
    });
    out.push({
      id: `${sql}/databases/db`,
      name: 'db',
      type: 'Microsoft.Sql/servers/databases',
      subscriptionId: sub,
      resourceGroup: rgName,
      tags: {},
      properties: {},
    });
    const plan = add('Microsoft.Web/serverfarms', `plan-${u}`, {});
    add('Microsoft.Web/sites', `web-${u}`, {
      serverFarmId: plan,
      virtualNetworkSubnetId: subnet('data'),
      referencedEndpoints: [
        { settingName: 'STORAGE', host: `st${u}.blob.core.windows.net`, kind: 'storage' },
        { settingName: 'Db', host: `sql-${u}.database.windows.net`, kind: 'sql' },
        { settingName: 'PAYMENTS', host: 'payments.example.com', kind: 'endpoint' },
      ],
    });
  }
  return out.slice(0, resources);
}
