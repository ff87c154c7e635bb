// Applies the role assignments whose scope is the management group this module is deployed
// to. One loop over the list built by infra/managementgroup.bicep, which is deployed on its own
// with `az deployment mg create` (see the README): a subscription deployment cannot reach a
// management group without a tenant-scope hop that most users have no right to run.

targetScope = 'managementGroup'

import { roleAssignmentSpec } from 'types.bicep'

@description('Every role assignment of the deployment; this module applies those scoped to this management group.')
param assignments roleAssignmentSpec[]

var here = filter(assignments, a => toLower(a.scope) == toLower(managementGroup().id))

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for a in here: {
    name: guid(a.scope, a.principalId, a.roleDefinitionId)
    properties: {
      // Built-in roles and the custom discovery role (defined at this management group) alike.
      roleDefinitionId: managementGroupResourceId('Microsoft.Authorization/roleDefinitions', a.roleDefinitionId)
      principalId: a.principalId
      principalType: a.?principalType
    }
  }
]

output count int = length(here)
