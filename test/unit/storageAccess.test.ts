import { describe, expect, it } from 'vitest';
import { storageAccessFromSettings } from '../../src/app/storageAccess';
import { loadSettings } from '../../src/config/settings';

describe('storage access from settings', () => {
  it('uses the connection string locally', () => {
    const access = storageAccessFromSettings(
      loadSettings({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' }),
    );
    expect(access).toEqual({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' });
  });

  it('uses the managed identity with the account name, as the Functions host does (shared keys off)', () => {
    const access = storageAccessFromSettings(
      loadSettings({
        AzureWebJobsStorage__accountName: 'sttopdeck',
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: '11111111-1111-1111-1111-111111111111',
      }),
    );
    expect(access).toMatchObject({
      kind: 'identity',
      queueUrl: 'https://sttopdeck.queue.core.windows.net',
      tableUrl: 'https://sttopdeck.table.core.windows.net',
    });
  });

  it('prefers explicit service URIs (sovereign clouds, private endpoints)', () => {
    const access = storageAccessFromSettings(
      loadSettings({
        AzureWebJobsStorage__queueServiceUri: 'https://acct.queue.core.chinacloudapi.cn',
        AzureWebJobsStorage__tableServiceUri: 'https://acct.table.core.chinacloudapi.cn',
      }),
    );
    expect(access).toMatchObject({
      kind: 'identity',
      queueUrl: 'https://acct.queue.core.chinacloudapi.cn',
      tableUrl: 'https://acct.table.core.chinacloudapi.cn',
    });
  });
});
