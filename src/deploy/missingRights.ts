/**
 * Whether a set of Azure RBAC permissions (as `GET <scope>/providers/Microsoft.Authorization/
 * permissions` returns them for the signed-in principal) allows each action. An action is allowed
 * when some entry's `actions` match it and that same entry's `notActions` do not; `*` matches
 * any run of characters and comparison ignores case, as Azure's does.
 */
export interface PermissionEntry {
  actions?: string[];
  notActions?: string[];
}

function matches(pattern: string, action: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(action);
}

export function isAllowed(permissions: PermissionEntry[], action: string): boolean {
  return permissions.some(
    (entry) =>
      (entry.actions ?? []).some((p) => matches(p, action)) &&
      !(entry.notActions ?? []).some((p) => matches(p, action)),
  );
}

/** The actions of `required` that `permissions` do not allow, in the order given. */
export function missingRights(permissions: PermissionEntry[], required: readonly string[]): string[] {
  return required.filter((action) => !isAllowed(permissions, action));
}

/** What the deployment does on each scanned subscription: assign roles, and define the discovery role. */
export const SUBSCRIPTION_RIGHTS = [
  'Microsoft.Authorization/roleAssignments/write',
  'Microsoft.Authorization/roleDefinitions/write',
] as const;

/** What it does in the subscription it deploys to, beyond those: create the resource group and deploy. */
export const DEPLOYMENT_RIGHTS = [
  'Microsoft.Resources/subscriptions/resourceGroups/write',
  'Microsoft.Resources/deployments/write',
  'Microsoft.Authorization/roleAssignments/write',
] as const;
