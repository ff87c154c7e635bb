import { Cron } from 'croner';
import { z } from 'zod';
import { parseRedisUrl } from '../cache/parseRedisUrl';
import { createLogger, type Logger } from '../telemetry/logger';
import { withoutUnresolvedKeyVaultReferences } from './unresolvedKeyVaultReferences';

/**
 * Every setting TopDeck reads, validated once at start. A missing or malformed value
 * produces ONE error listing every problem and what is expected.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const DEFAULT_SCAN_SCHEDULE = '0 0 */6 * * *';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const httpsUrl = (name: string) =>
  optionalString.refine((v) => v === undefined || /^https:\/\/[^\s/]+/i.test(v), {
    message: `${name} must be an https:// URL (Resource Manager refuses bearer tokens over plain http)`,
  });

const settingsSchema = z.object({
  AzureWebJobsStorage: optionalString.transform((v) => v ?? 'UseDevelopmentStorage=true'),
  AzureWebJobsStorage__accountName: optionalString,
  AzureWebJobsStorage__queueServiceUri: optionalString,
  AzureWebJobsStorage__tableServiceUri: optionalString,
  AzureWebJobsStorage__credential: optionalString,
  AzureWebJobsStorage__clientId: optionalString,
  SCAN_SCHEDULE: optionalString
    .transform((v) => v ?? DEFAULT_SCAN_SCHEDULE)
    .superRefine((v, ctx) => {
      if (v.split(/\s+/).length !== 6) {
        ctx.addIssue({
          code: 'custom',
          message: `SCAN_SCHEDULE must be an NCRONTAB expression with 6 fields, seconds first (e.g. "${DEFAULT_SCAN_SCHEDULE}"), got "${v}"`,
        });
        return;
      }
      try {
        new Cron(v, { paused: true });
      } catch (e) {
        ctx.addIssue({
          code: 'custom',
          message: `SCAN_SCHEDULE "${v}" is not valid NCRONTAB: ${(e as Error).message}`,
        });
      }
    }),
  AZURE_SUBSCRIPTION_IDS: optionalString.transform((v, ctx) => {
    const ids = (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const id of ids) {
      if (!GUID.test(id))
        ctx.addIssue({ code: 'custom', message: `AZURE_SUBSCRIPTION_IDS: "${id}" is not a GUID` });
    }
    return ids.map((id) => id.toLowerCase());
  }),
  AZURE_RESOURCE_GROUP: optionalString,
  TOPDECK_ARM_ENDPOINT: httpsUrl('TOPDECK_ARM_ENDPOINT').transform((v) =>
    (v ?? 'https://management.azure.com').replace(/\/+$/, ''),
  ),
  TOPDECK_ARM_TOKEN: optionalString,
  AZURE_DEVOPS_ORG: optionalString,
  AZURE_DEVOPS_PROJECT: optionalString,
  AZURE_DEVOPS_PAT: optionalString,
  AZURE_DEVOPS_BASE_URL: httpsUrl('AZURE_DEVOPS_BASE_URL').transform((v) =>
    (v ?? 'https://dev.azure.com').replace(/\/+$/, ''),
  ),
  /** Latest commits kept per repository. */
  AZURE_DEVOPS_COMMIT_COUNT: optionalString.transform((v, ctx) => {
    const n = Number(v ?? 20);
    if (!Number.isInteger(n) || n < 1 || n > 1000)
      ctx.addIssue({
        code: 'custom',
        message: `AZURE_DEVOPS_COMMIT_COUNT must be a whole number from 1 to 1000, got "${v}"`,
      });
    return n;
  }),
  /** Azure DevOps calls per minute for the whole organisation, shared by every worker. */
  AZURE_DEVOPS_CALLS_PER_MINUTE: optionalString.transform((v, ctx) => {
    const n = Number(v ?? 200);
    if (!Number.isInteger(n) || n < 10)
      ctx.addIssue({
        code: 'custom',
        message: `AZURE_DEVOPS_CALLS_PER_MINUTE must be a whole number >= 10, got "${v}"`,
      });
    return n;
  }),
  REDIS_URL: optionalString.superRefine((v, ctx) => {
    if (v === undefined) return;
    try {
      parseRedisUrl(v);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        message: `${(e as Error).message} (expected e.g. rediss://:password@host:10000)`,
      });
    }
  }),
  /**
   * How TopDeck signs in to Redis: absent = the password in REDIS_URL (local Redis, Azure Cache
   * for Redis with keys); `managedidentity` = a Microsoft Entra token of the app's identity
   * (Azure Managed Redis with access keys off; the user name is the identity's object id).
   */
  REDIS_CREDENTIAL: optionalString.superRefine((v, ctx) => {
    if (v !== undefined && v.toLowerCase() !== 'managedidentity')
      ctx.addIssue({
        code: 'custom',
        message: `REDIS_CREDENTIAL must be "managedidentity" or absent (the password in REDIS_URL), got "${v}"`,
      });
  }),
  APPLICATIONINSIGHTS_CONNECTION_STRING: optionalString.refine(
    (v) => v === undefined || /InstrumentationKey=|IngestionEndpoint=/i.test(v),
    { message: 'APPLICATIONINSIGHTS_CONNECTION_STRING must contain InstrumentationKey=...' },
  ),
  PORT: optionalString.transform((v, ctx) => {
    const n = Number(v ?? 7071);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: `PORT must be an integer 0-65535, got "${v}"` });
    }
    return n;
  }),
  /** Minutes without progress after which the watchdog ends a scan as partial. */
  TOPDECK_WATCHDOG_MINUTES: optionalString.transform((v, ctx) => {
    const n = Number(v ?? 30);
    if (!(n > 0))
      ctx.addIssue({ code: 'custom', message: `TOPDECK_WATCHDOG_MINUTES must be > 0, got "${v}"` });
    return n;
  }),
  /** Who says what exists: Resource Graph when it answers (auto), always Graph, or Resource Manager lists. */
  TOPDECK_INVENTORY_SOURCE: optionalString.transform((v, ctx) => {
    const s = (v ?? 'auto').toLowerCase();
    if (s !== 'auto' && s !== 'resourcegraph' && s !== 'arm')
      ctx.addIssue({
        code: 'custom',
        message: `TOPDECK_INVENTORY_SOURCE must be auto, resourcegraph or arm, got "${v}"`,
      });
    return s as 'auto' | 'resourcegraph' | 'arm';
  }),
  /** Adds guessed edges (same resource group), labelled `heuristic`; off by default. */
  TOPDECK_HEURISTIC_EDGES: optionalString.transform((v, ctx) => {
    const s = (v ?? 'false').toLowerCase();
    if (!['true', 'false', '1', '0'].includes(s))
      ctx.addIssue({ code: 'custom', message: `TOPDECK_HEURISTIC_EDGES must be true or false, got "${v}"` });
    return s === 'true' || s === '1';
  }),
});

/** Rules across settings, checked on the raw values so they are reported with every other problem. */
function crossChecks(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  // An organisation without a PAT signs in as the app's Entra identity; a PAT alone has no target.
  if (env.AZURE_DEVOPS_PAT?.trim() && !env.AZURE_DEVOPS_ORG?.trim()) {
    problems.push(
      'AZURE_DEVOPS_PAT is set but AZURE_DEVOPS_ORG is not: set the organisation too (absent turns Azure DevOps off)',
    );
  }
  if (env.REDIS_CREDENTIAL?.trim() && env.REDIS_URL?.trim()) {
    try {
      if (parseRedisUrl(env.REDIS_URL).password !== undefined)
        problems.push(
          'REDIS_URL carries a password while REDIS_CREDENTIAL=managedidentity signs in with a token: remove one of them',
        );
    } catch {
      // Reported by REDIS_URL's own rule.
    }
  }
  return problems;
}

export type Settings = z.output<typeof settingsSchema>;

/** Every setting the code reads (the deployment tests check each one is provided in Azure). */
export const SETTING_NAMES: readonly string[] = Object.keys(settingsSchema.shape);

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`TopDeck settings are invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

export interface LoadSettingsOptions {
  /** Receives one warning per optional setting that is an unresolved Key Vault reference. */
  logger?: Pick<Logger, 'warn'>;
}

export function loadSettings(
  raw: Record<string, string | undefined> = process.env,
  options: LoadSettingsOptions = {},
): Settings {
  const { env, unresolved } = withoutUnresolvedKeyVaultReferences(raw);
  const result = settingsSchema.safeParse(env);
  const problems = [
    ...unresolved.filter((u) => !u.optional).map((u) => u.message),
    ...(result.success
      ? []
      : result.error.issues.map((i) =>
          i.path.length && !i.message.includes(String(i.path[0]))
            ? `${i.path.join('.')}: ${i.message}`
            : i.message,
        )),
    ...crossChecks(env),
  ];
  if (!result.success || problems.length) throw new SettingsError(problems);
  const logger = options.logger ?? createLogger('settings');
  for (const u of unresolved) logger.warn(u.message, { setting: u.setting });
  return result.data;
}
