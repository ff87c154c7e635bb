import { describe, expect, it } from 'vitest';
import { environmentFromTags, parseResourceId, statusFromState } from '../../src/discovery/Resource';
import { mapVirtualMachine, vmStatus } from '../../src/discovery/virtualMachines';
import { readJsonColumns, writeJsonColumns } from '../../src/storage/jsonColumns';
import {
  resourceHash as contentHash,
  entityToResource,
  primaryEntity,
  stateEntity,
} from '../../src/storage/resourceEntity';

describe('resource model', () => {
  it.each([
    ['Succeeded', 'running'],
    ['PowerState/running', 'running'],
    ['ready', 'running'],
    ['PowerState/deallocated', 'stopped'],
    ['stopped', 'stopped'],
    ['Failed', 'error'],
    ['ProvisioningState/updating', 'degraded'],
    ['Creating', 'degraded'],
    ['Deleting', 'degraded'],
    ['', 'unknown'],
    [undefined, 'unknown'],
    ['Weird', 'unknown'],
    ['ProvisioningState/failed/InternalError', 'error'],
  ])('status of %j is %s', (state, status) => expect(statusFromState(state)).toBe(status));

  it.each([
    [{ Environment: 'Prod' }, 'prod'],
    [{ ENV: ' Dev ' }, 'dev'],
    [{ env: 'test', environment: 'staging' }, 'staging'],
    [{ owner: 'x' }, null],
    [undefined, null],
  ])('environment from tags %j is %j', (tags, env) =>
    expect(environmentFromTags(tags as Record<string, string>)).toBe(env),
  );

  it.each([
    [
      '/subscriptions/AAA/resourceGroups/RG-1/providers/Microsoft.Sql/servers/s1/databases/d1',
      { subscriptionId: 'aaa', resourceGroup: 'RG-1', type: 'Microsoft.Sql/servers/databases', name: 'd1' },
    ],
    [
      '/subscriptions/aaa/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
      { subscriptionId: 'aaa', resourceGroup: 'rg', type: 'Microsoft.Compute/virtualMachines', name: 'vm' },
    ],
    ['/subscriptions/aaa/resourceGroups/rg', undefined],
    ['nonsense', undefined],
  ])('parses %s', (id, expected) => expect(parseResourceId(id)).toEqual(expected));

  it('keeps large JSON whole by compressing it into chunk columns', () => {
    const big = { blob: Array.from({ length: 5000 }, (_, i) => `value-${i}-${'x'.repeat(i % 50)}`) };
    const cols = writeJsonColumns('properties', big);
    expect(cols.properties).toBeUndefined();
    expect(Number(cols.propertiesGzChunks)).toBeGreaterThanOrEqual(1);
    for (const [k, v] of Object.entries(cols))
      if (v instanceof Uint8Array) expect(v.length, k).toBeLessThanOrEqual(60_000);
    expect(readJsonColumns('properties', cols, {})).toEqual(big);
    expect(readJsonColumns('properties', writeJsonColumns('properties', { a: 1 }), {})).toEqual({ a: 1 });
    expect(() =>
      readJsonColumns('properties', { propertiesGzChunks: 2, propertiesGz0: new Uint8Array(1) }, {}),
    ).toThrow(/incomplete/);
  });

  it('writes real columns people can query, and reads back the API shape', () => {
    const item = {
      id: '/subscriptions/AAA/resourceGroups/RG-1/providers/Microsoft.Compute/virtualMachines/vm1',
      name: 'vm1',
      type: 'Microsoft.Compute/virtualMachines',
      location: 'westeurope',
      tags: { Env: 'Prod' },
      properties: { vmSize: 'Standard_B2s' },
      status: 'running' as const,
    };
    const e = primaryEntity(item, {
      scanId: 's1',
      seenAt: '2026-01-01T00:00:00.000Z',
      canonicalType: 'Microsoft.Compute/virtualMachines',
    });
    expect(e).toMatchObject({
      name: 'vm1',
      location: 'westeurope',
      resourceGroup: 'RG-1',
      resourceGroupLower: 'rg-1',
      subscriptionId: 'aaa',
      environment: 'prod',
      status: 'running',
    });
    const r = entityToResource(e);
    expect(r).toMatchObject({
      id: item.id,
      tags: { Env: 'Prod' },
      properties: { vmSize: 'Standard_B2s' },
      environment: 'prod',
      scanId: 's1',
    });
    expect(contentHash(item)).toBe(contentHash({ ...item, status: 'stopped' }));
    expect(contentHash(item)).not.toBe(contentHash({ ...item, tags: {} }));
    const s = stateEntity(
      { ...item, properties: { powerState: 'deallocated' }, status: 'stopped' },
      { scanId: 's1', seenAt: 'x', canonicalType: item.type },
    );
    expect(Object.keys(s).sort()).toEqual(['partitionKey', 'powerState', 'rowKey', 'status', 'statusSeenAt']);
  });

  it('maps a VM without secrets and takes its status from the instance view', () => {
    const vm = mapVirtualMachine({
      id: '/subscriptions/a/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/v',
      name: 'v',
      location: 'eastus',
      hardwareProfile: { vmSize: 'Standard_D2s_v3' },
      osProfile: {
        computerName: 'v',
        adminUsername: 'azureuser',
        adminPassword: 'P@ssw0rd-should-never-be-kept',
      },
      storageProfile: {
        osDisk: {
          createOption: 'FromImage',
          osType: 'Linux',
          diskSizeGB: 30,
          managedDisk: { id: 'disk-id' },
        },
      },
      networkProfile: { networkInterfaces: [{ id: 'nic-id', primary: true }] },
    });
    expect(JSON.stringify(vm)).not.toContain('P@ssw0rd');
    expect(vm.properties).toMatchObject({
      vmSize: 'Standard_D2s_v3',
      osType: 'Linux',
      osDiskSizeGB: 30,
      osDiskId: 'disk-id',
      networkInterfaceIds: ['nic-id'],
      dataDisks: [],
    });
    const statuses = (codes: string[]) => ({
      location: 'x',
      instanceView: { statuses: codes.map((code) => ({ code })) },
    });
    expect(vmStatus(statuses(['ProvisioningState/succeeded', 'PowerState/running']))).toEqual({
      status: 'running',
      powerState: 'running',
    });
    expect(vmStatus(statuses(['ProvisioningState/succeeded', 'PowerState/deallocated']))).toEqual({
      status: 'stopped',
      powerState: 'deallocated',
    });
    expect(vmStatus(statuses(['ProvisioningState/failed/InternalError', 'PowerState/running'])).status).toBe(
      'error',
    );
    expect(vmStatus(statuses(['ProvisioningState/updating', 'PowerState/running'])).status).toBe('degraded');
    expect(vmStatus(statuses([])).status).toBe('unknown');
  });
});
