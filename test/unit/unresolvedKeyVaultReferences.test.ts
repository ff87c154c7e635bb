import { describe, expect, it } from 'vitest';
import { SettingsError, loadSettings } from '../../src/config/settings';
import {
  isKeyVaultReference,
  withoutUnresolvedKeyVaultReferences,
} from '../../src/config/unresolvedKeyVaultReferences';

const REF = '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/azure-devops-pat)';
const REDIS_REF = '@Microsoft.KeyVault(VaultName=kv-x;SecretName=redis-url)';

function capture() {
  const warnings: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  return {
    warnings,
    logger: {
      warn: (message: string, fields?: Record<string, unknown>) => warnings.push({ message, fields }),
    },
  };
}

describe('isKeyVaultReference', () => {
  it.each([
    [REF, true],
    [REDIS_REF, true],
    ['  @microsoft.keyvault(SecretUri=x)', true],
    ['rediss://:key@host:10000', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (value, expected) => {
    expect(isKeyVaultReference(value)).toBe(expected);
  });
});

describe('withoutUnresolvedKeyVaultReferences', () => {
  it('drops the reference, and the organisation with an unresolved PAT', () => {
    const { env, unresolved } = withoutUnresolvedKeyVaultReferences({
      AZURE_DEVOPS_ORG: 'contoso',
      AZURE_DEVOPS_PAT: REF,
      SCAN_SCHEDULE: '0 0 * * * *',
    });
    expect(env).toEqual({ SCAN_SCHEDULE: '0 0 * * * *' });
    expect(unresolved.map((u) => [u.setting, u.optional])).toEqual([['AZURE_DEVOPS_PAT', true]]);
  });
});

describe('loadSettings with unresolved Key Vault references', () => {
  it('REDIS_URL: no cache, one warning naming the setting and the likely cause; every function still starts', () => {
    const { warnings, logger } = capture();
    const settings = loadSettings({ REDIS_URL: REDIS_REF }, { logger });
    expect(settings.REDIS_URL).toBeUndefined();
    expect(warnings).toHaveLength(1);
    const warning = warnings[0] as { message: string; fields?: Record<string, unknown> };
    expect(warning.fields).toEqual({ setting: 'REDIS_URL' });
    expect(warning.message).toContain('REDIS_URL');
    expect(warning.message).toMatch(/without the Redis cache/);
    expect(warning.message).toMatch(/Key Vault Secrets User/);
  });

  it('AZURE_DEVOPS_PAT: Azure DevOps off (the reference is never used as a PAT), not a settings error', () => {
    const { warnings, logger } = capture();
    const settings = loadSettings({ AZURE_DEVOPS_ORG: 'contoso', AZURE_DEVOPS_PAT: REF }, { logger });
    expect(settings.AZURE_DEVOPS_PAT).toBeUndefined();
    expect(settings.AZURE_DEVOPS_ORG).toBeUndefined();
    expect(warnings.map((w) => w.fields?.setting)).toEqual(['AZURE_DEVOPS_PAT']);
    expect(JSON.stringify(settings)).not.toContain('KeyVault');
  });

  it('a setting the scan needs: a settings error that says what happened, with every other problem', () => {
    const { warnings, logger } = capture();
    let error: unknown;
    try {
      loadSettings(
        {
          AZURE_SUBSCRIPTION_IDS: '@Microsoft.KeyVault(SecretUri=https://kv-x.vault.azure.net/secrets/subs)',
          PORT: 'x',
          REDIS_URL: REDIS_REF,
        },
        { logger },
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const problems = (error as SettingsError).problems;
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /^AZURE_SUBSCRIPTION_IDS is a Key Vault reference that App Service could not resolve/,
    );
    expect(problems.join('\n')).toContain('PORT');
    // Nothing is logged for a configuration that does not load.
    expect(warnings).toEqual([]);
  });

  it('a resolved value is used as it is, with no warning', () => {
    const { warnings, logger } = capture();
    const settings = loadSettings(
      {
        REDIS_URL: 'rediss://:secret@cache.example:10000',
        AZURE_DEVOPS_ORG: 'contoso',
        AZURE_DEVOPS_PAT: 'pat',
      },
      { logger },
    );
    expect(settings.REDIS_URL).toBe('rediss://:secret@cache.example:10000');
    expect(settings.AZURE_DEVOPS_PAT).toBe('pat');
    expect(warnings).toEqual([]);
  });
});

describe('REDIS_CREDENTIAL', () => {
  it('accepts managedidentity with a password-less url (the user name may be in it)', () => {
    const settings = loadSettings({
      REDIS_URL: 'rediss://5f0e2f8a-1b2c-4d3e-8f90-0123456789ab@redis-x.westeurope.redis.azure.net:10000',
      REDIS_CREDENTIAL: 'managedidentity',
    });
    expect(settings.REDIS_CREDENTIAL).toBe('managedidentity');
  });

  it.each([
    [{ REDIS_URL: 'rediss://:key@h:10000', REDIS_CREDENTIAL: 'managedidentity' }, /remove one of them/],
    [
      { REDIS_URL: 'rediss://h:10000', REDIS_CREDENTIAL: 'accesskey' },
      /REDIS_CREDENTIAL must be "managedidentity"/,
    ],
  ])('rejects %o', (env, message) => {
    expect(() => loadSettings(env)).toThrow(message);
  });
});
