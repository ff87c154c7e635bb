import { describe, expect, it } from 'vitest';
import { endpointOf, referencedEndpoints } from '../../src/discovery/referencedEndpoint';
import { dedupeById } from '../../src/discovery/listArmPage';
import { mapGenericResource } from '../../src/discovery/types/genericResources';
import type { DiscoveredItem } from '../../src/discovery/Resource';

describe('referencedEndpoint', () => {
  it.each([
    [
      'Server=tcp:sql-a.database.windows.net,1433;Initial Catalog=db;Password=S3cret!',
      'sql-a.database.windows.net',
      'sql',
    ],
    ['Data Source=onprem-sql01;Initial Catalog=x;User Id=a;Password=b', 'onprem-sql01', 'sql'],
    [
      'Host=pg.postgres.database.azure.com;Database=app;Password=x',
      'pg.postgres.database.azure.com',
      'postgresql',
    ],
    ['postgres://u:pw@db.example.com:5432/app', 'db.example.com', 'postgresql'],
    ['mysql://u:pw@my.mysql.database.azure.com/app', 'my.mysql.database.azure.com', 'mysql'],
    ['rediss://:pw@cache.redis.cache.windows.net:6380', 'cache.redis.cache.windows.net', 'redis'],
    ['cache.redis.cache.windows.net:6380,password=abc,ssl=True', 'cache.redis.cache.windows.net', 'redis'],
    [
      'DefaultEndpointsProtocol=https;AccountName=StAcc;AccountKey=k==;EndpointSuffix=core.windows.net',
      'stacc.blob.core.windows.net',
      'storage',
    ],
    [
      'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=x;SharedAccessKey=y',
      'ns.servicebus.windows.net',
      'serviceBus',
    ],
    [
      'AccountEndpoint=https://c.documents.azure.com:443/;AccountKey=k==;',
      'c.documents.azure.com',
      'cosmosDb',
    ],
    [
      '@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/s/)',
      'kv1.vault.azure.net',
      'keyVault',
    ],
    ['@Microsoft.KeyVault(VaultName=KV2;SecretName=s)', 'kv2.vault.azure.net', 'keyVault'],
    ['https://appcs.azconfig.io', 'appcs.azconfig.io', 'appConfiguration'],
    ['https://api.contoso.com/v1', 'api.contoso.com', 'endpoint'],
    ['api.contoso.com', 'api.contoso.com', 'endpoint'],
  ])('%s → %s (%s)', (value, host, kind) =>
    expect(endpointOf(value)).toEqual({
      host,
      kind,
      // a Key Vault reference says so: its edge is a keyvault-reference, not a plain setting
      ...(value.startsWith('@Microsoft.KeyVault') ? { keyVaultReference: true } : {}),
    }),
  );

  it.each([
    ['true'],
    ['42'],
    ['1.5'],
    [''],
    ['node'],
    ['some-opaque-secret-value'],
    // malformed: no host to be found, and no crash
    ['Server=;Database=x'],
    ['AccountName=;AccountKey=abc'],
    ['redis://'],
    ['Endpoint=sb://;SharedAccessKey=x'],
    ['@Microsoft.KeyVault(SecretUri=not a url)'],
    ['@Microsoft.KeyVault()'],
    ['http://'],
    ['=;=;='],
  ])('%j points nowhere', (v) => expect(endpointOf(v)).toBeUndefined());

  it('keeps names, hosts and kinds, never the values', () => {
    const out = referencedEndpoints(
      { REDIS: 'r.redis.cache.windows.net:6380,password=TOPSECRET', FLAG: 'on' },
      { Db: { value: 'Server=tcp:s.database.windows.net;Password=TOPSECRET' } },
    );
    expect(out).toEqual([
      { settingName: 'REDIS', host: 'r.redis.cache.windows.net', kind: 'redis', source: 'appSetting' },
      { settingName: 'Db', host: 's.database.windows.net', kind: 'sql', source: 'connectionString' },
    ]);
    expect(JSON.stringify(out)).not.toContain('TOPSECRET');
  });
});

describe('odd shapes', () => {
  const item = (id: string): DiscoveredItem => ({
    id,
    name: 'n',
    type: 't',
    location: '',
    tags: {},
    properties: {},
  });

  it('keeps one row per id when Azure lists an item twice (ids compare case-insensitively)', () => {
    expect(dedupeById([item('/a/B'), item('/a/b'), item('/a/c')]).map((i) => i.id)).toEqual(['/a/B', '/a/c']);
  });

  it('the generic list: child names lose their parent, a missing type comes from the id', () => {
    const db = mapGenericResource(
      {
        id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/srv/databases/db1',
        name: 'srv/db1',
      },
      'microsoft.sql/servers/databases',
    );
    expect(db).toMatchObject({ name: 'db1', type: 'Microsoft.Sql/servers/databases' });
  });
});
