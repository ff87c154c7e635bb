import { spawnSync } from 'node:child_process';
import { DEPLOYMENT_RIGHTS, missingRights, SUBSCRIPTION_RIGHTS, type PermissionEntry } from './missingRights';

/**
 * azd's preprovision hook (azure.yaml): before Resource Manager is asked for anything, checks
 * that the signed-in principal holds the rights the deployment needs, and names what is missing,
 * where, and which role grants it, instead of failing half-way with AuthorizationFailed.
 * It asks the Azure CLI (`az rest`); without a signed-in Azure CLI it says so and lets the
 * deployment go ahead (Resource Manager then has the last word).
 *
 * Reads the azd environment values azd passes to hooks: AZURE_SUBSCRIPTION_ID (where azd
 * deploys), TOPDECK_SUBSCRIPTION_IDS (a JSON array) and TOPDECK_MANAGEMENT_GROUP_ID.
 */

export interface RightsProblem {
  scope: string;
  missing: string[];
}

export type PermissionsReader = (scope: string) => PermissionEntry[] | undefined;

/** The subscriptions the deployment assigns roles on, as main.bicep computes them. */
export function scannedSubscriptions(env: Record<string, string | undefined>): string[] {
  if (env.TOPDECK_MANAGEMENT_GROUP_ID?.trim()) return [];
  let ids: unknown = [];
  try {
    ids = JSON.parse(env.TOPDECK_SUBSCRIPTION_IDS?.trim() || '[]');
  } catch {
    throw new Error(
      `TOPDECK_SUBSCRIPTION_IDS must be a JSON array of subscription ids, e.g. '["<id1>","<id2>"]'; got ${env.TOPDECK_SUBSCRIPTION_IDS}`,
    );
  }
  const list = Array.isArray(ids) ? ids.map(String).filter(Boolean) : [];
  return list.length > 0 ? [...new Set(list)] : env.AZURE_SUBSCRIPTION_ID ? [env.AZURE_SUBSCRIPTION_ID] : [];
}

export function checkRights(
  env: Record<string, string | undefined>,
  read: PermissionsReader,
): { problems: RightsProblem[]; unchecked: string[] } {
  const problems: RightsProblem[] = [];
  const unchecked: string[] = [];
  const targets = new Map<string, readonly string[]>();
  if (env.AZURE_SUBSCRIPTION_ID) targets.set(env.AZURE_SUBSCRIPTION_ID.toLowerCase(), DEPLOYMENT_RIGHTS);
  for (const id of scannedSubscriptions(env)) {
    const key = id.toLowerCase();
    targets.set(key, [...new Set([...(targets.get(key) ?? []), ...SUBSCRIPTION_RIGHTS])]);
  }
  for (const [id, required] of targets) {
    const scope = `/subscriptions/${id}`;
    const permissions = read(scope);
    if (permissions === undefined) {
      unchecked.push(scope);
      continue;
    }
    const missing = missingRights(permissions, required);
    if (missing.length > 0) problems.push({ scope, missing });
  }
  return { problems, unchecked };
}

export function describeProblems(problems: RightsProblem[]): string {
  return [
    'The signed-in principal lacks rights this deployment needs; it would fail with AuthorizationFailed:',
    ...problems.map((p) => `  ${p.scope}: ${p.missing.join(', ')}`),
    'Owner, or User Access Administrator (role assignments and the custom discovery role) with',
    'Contributor in the subscription azd deploys to, grants them. Check with:',
    '  az role assignment list --assignee <you> --scope /subscriptions/<id> -o table',
    'or remove a subscription you cannot grant roles on from TOPDECK_SUBSCRIPTION_IDS.',
  ].join('\n');
}

function readWithAzCli(scope: string): PermissionEntry[] | undefined {
  const result = spawnSync(
    'az',
    [
      'rest',
      '--method',
      'get',
      '--url',
      `${scope}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`,
    ],
    { encoding: 'utf8', timeout: 60_000, shell: process.platform === 'win32' },
  );
  if (result.error || result.status !== 0) return undefined;
  try {
    return (JSON.parse(result.stdout) as { value?: PermissionEntry[] }).value ?? [];
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  try {
    const { problems, unchecked } = checkRights(process.env, readWithAzCli);
    if (unchecked.length > 0)
      process.stderr.write(
        `Could not read your permissions on ${unchecked.join(', ')} with the Azure CLI (az login?); the deployment goes ahead unchecked there.\n`,
      );
    if (problems.length > 0) {
      process.stderr.write(`${describeProblems(problems)}\n`);
      process.exit(1);
    }
    process.stdout.write('Deployment rights: checked.\n');
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
}
