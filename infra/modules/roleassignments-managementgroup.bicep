// Applies the role assignments whose scope is the management group this module is deployed
// to. One loop over the shared list. main.bicep reaches it through roleassignments-tenant.bicep;
// without rights to deploy at tenant scope, deploy this file directly:
//   az deployment mg create --management-group-id <mg> --location <region> \
//     --template-file infra/modules/roleassignments-managementgroup.bicep \
//     --parameters assignments='[{"principalId":"<identity principal id>","roleDefinitionId":"acdd72a7-3385-48ef-bd42-f606fba81ae7","scope":"/providers/Microsoft.Management/managementGroups/<mg>"}]'

targetScope = 'managementGroup'

import { roleAssignmentSpec } from 'types.bicep'

@description('Every role assignment of the deployment; this module applies those scoped to this management group.')
param assignments roleAssignmentSpec[]

var here = filter(assignments, a => toLower(a.scope) == toLower(managementGroup().id))

resource assignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for a in here: {
    name: guid(a.scope, a.principalId, a.roleDefinitionId)
    properties: {
      // Built-in role definitions are tenant-level resources.
      roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', a.roleDefinitionId)
      principalId: a.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

output count int = length(here)
