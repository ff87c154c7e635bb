import { spawnSync } from 'node:child_process';
import { DefaultAzureCredential } from '@azure/identity';
import type { TableClient } from '@azure/data-tables';
import { startLocal, type LocalHost } from '../runtime/startLocal';
import { setLogSink } from '../telemetry/logger';

/**
 * `npm run smoke:azure`: an opt-in run against real Azure, never part of `npm test`. It scans the
 * given subscription (and the Azure DevOps organisation when AZURE_DEVOPS_ORG is set) through the
 * local runtime, with storage in memory, and checks what the end-to-end tests check: every task
 * ends, nothing is listed twice, no secret reaches a table or a log line. Exit 0 when every check
 * holds, 1 when one fails, 2 when it cannot start (credentials or subscription missing).
 */

export interface CredentialCheck {
  ok: boolean;
  /** How it will sign in, or exactly what to set. */
  message: string;
}

const WHAT_TO_SET = [
  'npm run smoke:azure needs Azure credentials and a subscription. Either:',
  '  - sign in with the Azure CLI:   az login   (then, optionally, az account set --subscription <id>)',
  '  - or a service principal:       export AZURE_TENANT_ID=<tenant> AZURE_CLIENT_ID=<app id> AZURE_CLIENT_SECRET=<secret>',
  '                                  (or AZURE_CLIENT_CERTIFICATE_PATH=<pem> instead of the secret)',
  'and the subscription to scan:     export AZURE_SUBSCRIPTION_IDS=<subscription id>',
  "                                  (defaults to the Azure CLI's current subscription)",
  'The identity needs Reader on the subscription (and Microsoft.Web/sites/config/list/action for app settings).',
  'Optional: AZURE_DEVOPS_ORG, AZURE_DEVOPS_PAT (and AZURE_DEVOPS_PROJECT) also scan Azure DevOps;',
  '          TOPDECK_SMOKE_TIMEOUT_MINUTES (default 30) bounds the wait for the scan.',
].join('\n');

/** Which way DefaultAzureCredential can sign in here, without calling Entra ID yet. */
export function checkCredentials(
  env: Record<string, string | undefined>,
  azCliSubscription: string | undefined,
): CredentialCheck {
  const sp = env.AZURE_TENANT_ID && env.AZURE_CLIENT_ID;
  if (sp && (env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH)) {
    return { ok: true, message: `service principal ${env.AZURE_CLIENT_ID} (tenant ${env.AZURE_TENANT_ID})` };
  }
  if (azCliSubscription !== undefined) return { ok: true, message: 'the Azure CLI sign-in (az login)' };
  const partial =
    env.AZURE_CLIENT_ID || env.AZURE_TENANT_ID || env.AZURE_CLIENT_SECRET
      ? '\nA service principal needs all of AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH); some are missing.'
      : '';
  return { ok: false, message: WHAT_TO_SET + partial };
}

/** The Azure CLI's current subscription id, or undefined when az is missing or signed out. */
function azCliSubscription(): string | undefined {
  const result = spawnSync('az', ['account', 'show', '--query', 'id', '-o', 'tsv'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (result.error || result.status !== 0) return undefined;
  const id = result.stdout.trim();
  return id === '' ? undefined : id;
}

interface ScanStatus {
  scanId: string;
  status: string;
  tasks: { total: number; completed: number; failed: number; skipped?: number; pending?: number };
  counts: Record<string, number>;
  errors: Array<{ code: string; count: number; message: string }>;
}

async function api<T>(host: LocalHost, method: string, path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(host.baseUrl + path, { method, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function allEntities(table: TableClient): Promise<string[]> {
  const rows: string[] = [];
  try {
    for await (const entity of table.listEntities()) rows.push(JSON.stringify(entity));
  } catch (error) {
    // A table another part creates lazily may not exist yet: nothing in it to leak.
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return rows;
}

/** Values that must never appear in a table or a log line, and shapes of secrets in general. */
function secretMatchers(secrets: string[]): Array<{ name: string; test: (text: string) => boolean }> {
  return [
    ...secrets
      .filter((s) => s.length >= 8)
      .map((s, i) => ({ name: `secret #${i + 1}`, test: (text: string) => text.includes(s) })),
    { name: 'a bearer token (JWT)', test: (text) => /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/.test(text) },
    { name: 'a storage account key', test: (text) => /AccountKey=[A-Za-z0-9+/]{20,}/.test(text) },
    { name: 'a SAS signature', test: (text) => /[?&]sig=[A-Za-z0-9%+/]{20,}/.test(text) },
  ];
}

export async function main(env: Record<string, string | undefined> = process.env): Promise<number> {
  const cliSubscription = azCliSubscription();
  const credentials = checkCredentials(env, cliSubscription);
  const subscriptionIds = env.AZURE_SUBSCRIPTION_IDS?.trim() || cliSubscription;
  if (!credentials.ok || !subscriptionIds) {
    process.stderr.write(
      `${credentials.ok ? WHAT_TO_SET + '\nNo subscription: set AZURE_SUBSCRIPTION_IDS.' : credentials.message}\n`,
    );
    return 2;
  }

  let armToken: string;
  try {
    const credential = new DefaultAzureCredential({ managedIdentityClientId: env.AZURE_CLIENT_ID });
    const token = await credential.getToken('https://management.azure.com/.default');
    if (!token) throw new Error('no token');
    armToken = token.token;
  } catch (error) {
    process.stderr.write(
      `Signing in with ${credentials.message} failed: ${(error as Error).message}\n\n${WHAT_TO_SET}\n`,
    );
    return 2;
  }

  const logLines: string[] = [];
  setLogSink((line) => logLines.push(line));
  const timeoutMs = Number(env.TOPDECK_SMOKE_TIMEOUT_MINUTES ?? 30) * 60_000;
  const started = Date.now();
  process.stdout.write(`smoke:azure: scanning ${subscriptionIds} as ${credentials.message}\n`);
  const host = await startLocal({
    env: { ...env, AZURE_SUBSCRIPTION_IDS: subscriptionIds, PORT: '0', TOPDECK_ARM_TOKEN: '' },
    azure: true,
    memory: true,
    timers: false,
  });
  const failures: string[] = [];
  let scan: ScanStatus | undefined;
  let resourceCount = 0;
  try {
    const start = await api<{ scanId: string }>(host, 'POST', '/api/scans');
    if (start.status !== 202) throw new Error(`POST /api/scans answered ${start.status}`);
    const scanId = start.body.scanId;
    for (;;) {
      scan = (await api<ScanStatus>(host, 'GET', `/api/scans/${scanId}`)).body;
      if (['completed', 'partial', 'failed'].includes(scan.status)) break;
      if (Date.now() - started > timeoutMs) {
        failures.push(`the scan did not end within ${timeoutMs / 60_000} minutes (status ${scan.status})`);
        break;
      }
      process.stdout.write(
        `  ${scan.status}: tasks ${scan.tasks.completed + scan.tasks.failed}/${scan.tasks.total}, resources ${scan.counts.resources ?? 0}\n`,
      );
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }

    if (scan.status === 'failed') failures.push('the scan failed (see errors)');

    // Every task ends.
    const t = scan.tasks;
    const ended = t.completed + t.failed + (t.skipped ?? 0);
    if ((t.pending ?? t.total - ended) !== 0 || ended !== t.total)
      failures.push(`not every task ended: ${JSON.stringify(t)}`);

    // Nothing listed twice.
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await api<{ items: Array<{ id: string }>; continuationToken?: string }>(
        host,
        'GET',
        `/api/resources?limit=1000${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`,
      );
      if (page.status !== 200) throw new Error(`GET /api/resources answered ${page.status}`);
      ids.push(...page.body.items.map((i) => i.id.toLowerCase()));
      token = page.body.continuationToken;
    } while (token);
    resourceCount = ids.length;
    const duplicates = ids.length - new Set(ids).size;
    if (duplicates > 0) failures.push(`${duplicates} resources listed twice`);

    // No secret in any table or log line.
    const matchers = secretMatchers(
      [armToken, env.AZURE_CLIENT_SECRET, env.AZURE_DEVOPS_PAT].filter((s): s is string => Boolean(s)),
    );
    for (const [name, table] of Object.entries(host.services.tables)) {
      for (const row of await allEntities(table as TableClient)) {
        const hit = matchers.find((m) => m.test(row));
        if (hit) failures.push(`table ${name} holds ${hit.name}`);
      }
    }
    for (const line of logLines) {
      const hit = matchers.find((m) => m.test(line));
      if (hit) failures.push(`a log line holds ${hit.name}`);
    }
    if (env.AZURE_DEVOPS_ORG) {
      const repos = await api<{ items?: unknown[] }>(host, 'GET', '/api/repositories');
      process.stdout.write(
        repos.status === 200
          ? `  Azure DevOps: ${repos.body.items?.length ?? 0} repositories on the first page\n`
          : `  Azure DevOps: GET /api/repositories answered ${repos.status} (not in this build?)\n`,
      );
    }
  } catch (error) {
    failures.push((error as Error).message);
  } finally {
    await host.stop();
    setLogSink(undefined);
  }

  const unique = [...new Set(failures)];
  const summary = {
    scanId: scan?.scanId,
    status: scan?.status,
    seconds: Math.round((Date.now() - started) / 1000),
    tasks: scan?.tasks,
    counts: scan?.counts,
    listed: resourceCount,
    errors: scan?.errors?.map((e) => `${e.code} x${e.count}: ${e.message}`),
    logLines: logLines.length,
    checks: unique.length === 0 ? 'passed' : unique,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return unique.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`smoke:azure failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
