// The custom role that completes Reader for discovery (see discoveryRoleActions in types.bicep),
// defined once in the subscription this module is deployed to and assignable in every scanned
// subscription. Creating it needs Microsoft.Authorization/roleDefinitions/write on each of them
// (Owner or User Access Administrator).

targetScope = 'subscription'

import { discoveryRoleActions, discoveryRoleDescription } from 'types.bicep'

@description('Subscriptions (/subscriptions/<id>) where the role can be assigned; must include this one.')
param assignableScopes string[]

@description('Makes the role name unique in the tenant (role names are tenant-wide): one role per TopDeck deployment.')
param nameSuffix string

resource role 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  // Not seeded with this subscription: the same role keeps its id if its home subscription changes.
  name: guid('topdeck-discovery', nameSuffix)
  properties: {
    roleName: 'TopDeck discovery (${nameSuffix})'
    description: discoveryRoleDescription
    type: 'CustomRole'
    permissions: [
      {
        actions: discoveryRoleActions
        notActions: []
      }
    ]
    assignableScopes: assignableScopes
  }
}

// The GUID: role assignments in each subscription refer to it there.
output roleDefinitionGuid string = role.name
