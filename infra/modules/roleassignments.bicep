// Applies the role assignments whose scope is a resource in this resource group (the storage
// account, the Key Vault, the Application Insights component) with ONE loop over the shared
// list built in identityroles.bicep. Subscription and management group scopes have their own modules
// (roleassignments-subscription.bicep, roleassignments-managementgroup.bicep) fed the same list.

import { roleAssignmentSpec } from 'types.bicep'

@description('Every role assignment of the deployment; this module applies those scoped to a resource in this resource group.')
param assignments roleAssignmentSpec[]

var resourcePrefix = toLower('${resourceGroup().id}/providers/')
var here = filter(assignments, a => startsWith(toLower(a.scope), resourcePrefix))

// A nested template, because a Bicep `scope:` must be a symbolic reference of one fixed type,
// while here the scope is a resource id of any type (ARM accepts an id as the scope of an
// extension resource).
#disable-next-line no-deployments-resources
resource assignment 'Microsoft.Resources/deployments@2024-03-01' = [
  for a in here: {
    name: 'topdeck-ra-${guid(a.scope, a.principalId, a.roleDefinitionId)}'
    properties: {
      mode: 'Incremental'
      expressionEvaluationOptions: {
        scope: 'inner'
      }
      template: loadJsonContent('roleassignment-at-resource.json')
      parameters: {
        scope: {
          value: a.scope
        }
        principalId: {
          value: a.principalId
        }
        roleDefinitionId: {
          value: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleDefinitionId)
        }
        principalType: {
          value: a.?principalType ?? ''
        }
      }
    }
  }
]

output count int = length(here)
