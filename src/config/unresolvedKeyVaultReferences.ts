/**
 * App Service resolves `@Microsoft.KeyVault(...)` app settings before the app starts. When it
 * cannot (the secret does not exist, the identity's role on the vault has not propagated yet,
 * the vault's network blocks the platform), the app receives the reference itself as the value.
 * Taken literally, that string fails REDIS_URL's validation (and with it every function) or is
 * sent to Azure DevOps as a PAT (a 401 on every call). It is never a usable value. For what is
 * optional (the cache, Azure DevOps, telemetry) it is read as "not set", with one warning that
 * names the setting and what to check; for a setting the scan itself needs it is a settings
 * problem like any other, because scanning with a silently dropped filter would be worse.
 */

const REFERENCE = /^@Microsoft\.KeyVault\(/i;

export interface UnresolvedKeyVaultReference {
  setting: string;
  /** True when the setting is optional and was dropped; false when it is a settings problem. */
  optional: boolean;
  /** One line for the operator: the setting, the consequence, the likely cause and where to look. */
  message: string;
}

/** Optional settings and what running without them costs. */
const OPTIONAL: Record<string, string> = {
  REDIS_URL: 'TopDeck runs without the Redis cache and with per-instance rate limits until it resolves',
  AZURE_DEVOPS_PAT:
    'Azure DevOps discovery is off until it resolves (no call is made with the reference as a PAT)',
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'telemetry goes to the logs only until it resolves',
};

/** Settings that make no sense without the one whose reference did not resolve. */
const DEPENDENT: Record<string, string[]> = {
  AZURE_DEVOPS_PAT: ['AZURE_DEVOPS_ORG'],
};

const LIKELY_CAUSE =
  'likely cause: the secret does not exist in the vault, or the app identity\'s "Key Vault Secrets User" role ' +
  "has not propagated yet (a few minutes after a first deployment), or the vault refuses the app's network. " +
  "The Function App's Environment variables blade shows the reference status; App Service retries " +
  'within 24 hours, or at once on the next deployment or restart';

export function isKeyVaultReference(value: string | undefined): boolean {
  return value !== undefined && REFERENCE.test(value.trim());
}

/**
 * The environment with every unresolved Key Vault reference (and the settings that depend on it)
 * removed, and one entry per reference. The reference text is not repeated: it is not secret,
 * but the setting's name is all an operator needs to find it.
 */
export function withoutUnresolvedKeyVaultReferences(env: Record<string, string | undefined>): {
  env: Record<string, string | undefined>;
  unresolved: UnresolvedKeyVaultReference[];
} {
  const out: Record<string, string | undefined> = { ...env };
  const unresolved: UnresolvedKeyVaultReference[] = [];
  for (const [setting, value] of Object.entries(env)) {
    if (!isKeyVaultReference(value)) continue;
    delete out[setting];
    for (const dependent of DEPENDENT[setting] ?? []) delete out[dependent];
    const consequence = OPTIONAL[setting];
    unresolved.push({
      setting,
      optional: consequence !== undefined,
      message: `${setting} is a Key Vault reference that App Service could not resolve; ${
        consequence ?? 'the app cannot start without it'
      }. ${LIKELY_CAUSE}.`,
    });
  }
  return { env: out, unresolved };
}
