import { DefaultAzureCredential } from '@azure/identity';
import type { RedisTokenAuthOptions } from '../cache/redisTokenAuth';
import type { Settings } from '../config/settings';

/**
 * REDIS_CREDENTIAL=managedidentity: Redis signs in with Entra tokens of the app's identity
 * (AZURE_CLIENT_ID picks the user-assigned one; locally, `az login` works too). One credential
 * for the cache and the shared budget, so both reuse the same cached token.
 */
export function redisTokenAuthFromSettings(
  settings: Pick<Settings, 'REDIS_URL' | 'REDIS_CREDENTIAL'>,
): Pick<RedisTokenAuthOptions, 'credential'> | undefined {
  if (!settings.REDIS_URL || !settings.REDIS_CREDENTIAL) return undefined;
  return {
    credential: new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID }),
  };
}
