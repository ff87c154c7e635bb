import { describe, expect, it } from 'vitest';
import { checkRights, describeProblems, scannedSubscriptions } from '../../src/deploy/checkDeployRights';
import { isAllowed, missingRights, SUBSCRIPTION_RIGHTS } from '../../src/deploy/missingRights';

const OWNER = [{ actions: ['*'], notActions: [] }];
const CONTRIBUTOR = [
  {
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
    ],
  },
];
const USER_ACCESS_ADMIN = [{ actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'] }];
const RBAC_ADMIN = [
  {
    actions: [
      'Microsoft.Authorization/roleAssignments/write',
      'Microsoft.Authorization/roleAssignments/delete',
      '*/read',
    ],
  },
];
const READER = [{ actions: ['*/read'] }];

describe('isAllowed', () => {
  it.each([
    ['Owner', OWNER, 'Microsoft.Authorization/roleAssignments/write', true],
    [
      'Contributor (notActions, any case)',
      CONTRIBUTOR,
      'Microsoft.Authorization/roleAssignments/write',
      false,
    ],
    ['Contributor', CONTRIBUTOR, 'Microsoft.Resources/deployments/write', true],
    ['User Access Administrator', USER_ACCESS_ADMIN, 'Microsoft.Authorization/roleDefinitions/write', true],
    ['RBAC Administrator', RBAC_ADMIN, 'Microsoft.Authorization/roleDefinitions/write', false],
    ['Reader', READER, 'Microsoft.Authorization/roleAssignments/read', true],
    ['Reader', READER, 'Microsoft.Authorization/roleAssignments/write', false],
    ['nothing', [], 'Microsoft.Resources/deployments/write', false],
  ])('%s: %s → %s', (_role, permissions, action, expected) => {
    expect(isAllowed(permissions, action)).toBe(expected);
  });

  it('needs the allowing entry itself not to exclude the action; another role can add it back', () => {
    expect(missingRights(CONTRIBUTOR, SUBSCRIPTION_RIGHTS)).toEqual([...SUBSCRIPTION_RIGHTS]);
    expect(missingRights([...CONTRIBUTOR, ...USER_ACCESS_ADMIN], SUBSCRIPTION_RIGHTS)).toEqual([]);
    expect(missingRights([...CONTRIBUTOR, ...RBAC_ADMIN], SUBSCRIPTION_RIGHTS)).toEqual([
      'Microsoft.Authorization/roleDefinitions/write',
    ]);
  });
});

describe('checkRights (the preprovision hook)', () => {
  const HOME = '0b1f0000-0000-0000-0000-000000000001';
  const OTHER = '0b1f0000-0000-0000-0000-000000000002';

  it('checks the deployment subscription, and every scanned one for role rights', () => {
    const asked: string[] = [];
    const result = checkRights(
      { AZURE_SUBSCRIPTION_ID: HOME, TOPDECK_SUBSCRIPTION_IDS: JSON.stringify([HOME, OTHER]) },
      (scope) => {
        asked.push(scope);
        return scope.endsWith(HOME) ? [...CONTRIBUTOR, ...USER_ACCESS_ADMIN] : CONTRIBUTOR;
      },
    );
    expect(asked.sort()).toEqual([`/subscriptions/${HOME}`, `/subscriptions/${OTHER}`]);
    expect(result.problems).toEqual([
      { scope: `/subscriptions/${OTHER}`, missing: [...SUBSCRIPTION_RIGHTS] },
    ]);
    expect(describeProblems(result.problems)).toContain(
      `/subscriptions/${OTHER}: Microsoft.Authorization/roleAssignments/write`,
    );
  });

  it('scans the deployment subscription by default, none with a management group, and reports what it could not read', () => {
    expect(scannedSubscriptions({ AZURE_SUBSCRIPTION_ID: HOME })).toEqual([HOME]);
    expect(scannedSubscriptions({ AZURE_SUBSCRIPTION_ID: HOME, TOPDECK_SUBSCRIPTION_IDS: '[]' })).toEqual([
      HOME,
    ]);
    expect(scannedSubscriptions({ AZURE_SUBSCRIPTION_ID: HOME, TOPDECK_MANAGEMENT_GROUP_ID: 'mg' })).toEqual(
      [],
    );
    expect(() => scannedSubscriptions({ TOPDECK_SUBSCRIPTION_IDS: `${HOME},${OTHER}` })).toThrow(
      /JSON array/,
    );
    const result = checkRights({ AZURE_SUBSCRIPTION_ID: HOME }, () => undefined);
    expect(result).toEqual({ problems: [], unchecked: [`/subscriptions/${HOME}`] });
  });
});
