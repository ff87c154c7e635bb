// Applies the role assignments whose scope is the subscription this module is deployed to
// (main.bicep deploys it once per subscription TopDeck scans). One loop over the shared list.

targetScope = 'subscription'

import { roleAssignmentSpec } from 'types.bicep'

@description('Every role assignment of the deployment; this module applies those scoped to this subscription.')
param assignments roleAssignmentSpec[]

var here = filter(assignments, a => toLower(a.scope) == toLower(subscription().id))

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for a in here: {
    name: guid(a.scope, a.principalId, a.roleDefinitionId)
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleDefinitionId)
      principalId: a.principalId
      principalType: a.?principalType
    }
  }
]

output count int = length(here)
