import { DefaultAzureCredential } from '@azure/identity';
import type { Settings } from '../config/settings';
import type { StorageAccess } from '../storage/tables';

/**
 * Connection string (local, Azurite, tests) or identity-based access (deployed: shared keys
 * disabled; AzureWebJobsStorage__accountName / __queueServiceUri / __tableServiceUri with a
 * managed identity named by __clientId), the same settings the Functions host reads.
 */
export function storageAccessFromSettings(settings: Settings): StorageAccess {
  const account = settings.AzureWebJobsStorage__accountName;
  const queueUrl =
    settings.AzureWebJobsStorage__queueServiceUri ??
    (account ? `https://${account}.queue.core.windows.net` : undefined);
  const tableUrl =
    settings.AzureWebJobsStorage__tableServiceUri ??
    (account ? `https://${account}.table.core.windows.net` : undefined);
  if (queueUrl && tableUrl) {
    return {
      kind: 'identity',
      queueUrl,
      tableUrl,
      credential: new DefaultAzureCredential({
        managedIdentityClientId: settings.AzureWebJobsStorage__clientId ?? process.env.AZURE_CLIENT_ID,
      }),
    };
  }
  return { kind: 'connectionString', connectionString: settings.AzureWebJobsStorage };
}
