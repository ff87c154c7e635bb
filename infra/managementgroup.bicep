// Reader, the discovery role and the two AKS roles for TopDeck's identity on a whole management group, inherited by
// every subscription below it. A deployment of its own, at the management group: main.bicep runs
// at subscription scope, and reaching a management group from there needs a tenant-scope
// deployment that most users cannot run. Deploy main.bicep first (with managementGroupId set, so
// that it grants nothing per subscription), then, with rights to assign roles and define custom
// roles on the management group (Owner or User Access Administrator there):
//   az deployment mg create --management-group-id <mg> --location <region> \
//     --template-file infra/managementgroup.bicep \
//     --parameters principalId=$(azd env get-value AZURE_MANAGED_IDENTITY_PRINCIPAL_ID)

targetScope = 'managementGroup'

import { discoveryRoleActions, discoveryRoleDescription } from 'modules/types.bicep'

@description('Object (principal) id of TopDeck\'s identity: the AZURE_MANAGED_IDENTITY_PRINCIPAL_ID output of main.bicep.')
param principalId string

var reader = 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
// Inside AKS clusters: Azure Kubernetes Service Cluster User Role (listClusterUserCredential) and
// Azure Kubernetes Service RBAC Reader (read-only, no Secrets), as modules/identityroles.bicep says.
var aksClusterUser = '4abbcc35-e782-43d8-92c5-2d3f1bd2253f'
var aksRbacReader = '7f6c6a51-bcf8-42ba-9220-52d62157d7db'

resource discoveryRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(managementGroup().id, 'topdeck-discovery', principalId)
  properties: {
    roleName: 'TopDeck discovery (${managementGroup().name}, ${take(principalId, 8)})'
    description: discoveryRoleDescription
    type: 'CustomRole'
    permissions: [
      {
        actions: discoveryRoleActions
        notActions: []
      }
    ]
    assignableScopes: [
      managementGroup().id
    ]
  }
}

module assignments 'modules/roleassignments-managementgroup.bicep' = {
  name: 'topdeck-mg-roles-${take(uniqueString(principalId), 8)}'
  params: {
    assignments: [
      {
        principalId: principalId
        roleDefinitionId: reader
        scope: managementGroup().id
        principalType: 'ServicePrincipal'
      }
      {
        principalId: principalId
        roleDefinitionId: aksClusterUser
        scope: managementGroup().id
        principalType: 'ServicePrincipal'
      }
      {
        principalId: principalId
        roleDefinitionId: aksRbacReader
        scope: managementGroup().id
        principalType: 'ServicePrincipal'
      }
      {
        principalId: principalId
        roleDefinitionId: discoveryRole.name
        scope: managementGroup().id
        principalType: 'ServicePrincipal'
      }
    ]
  }
}

output assignmentCount int = assignments.outputs.count
