// Types and constants shared by main.bicep, managementgroup.bicep and the role assignment modules.

@export()
@description('One role assignment. roleDefinitionId is a role definition GUID (built-in, or the custom discovery role); scope is the full id of a subscription (/subscriptions/<id>), a management group (/providers/Microsoft.Management/managementGroups/<id>) or a resource.')
type roleAssignmentSpec = {
  @description('Object (principal) id of the identity that receives the role.')
  principalId: string

  @description('GUID of the role definition.')
  roleDefinitionId: string

  @description('Full resource id of the scope the role is granted on.')
  scope: string

  @description('ServicePrincipal for the managed identity (avoids the replication race of an identity created in the same deployment); absent when unknown (the deploying principal may be a user or a service principal).')
  principalType: ('ServicePrincipal' | 'User' | 'Group')?
}

// What discovery needs beyond Reader, and nothing else. Reader cannot read a web app's (or a
// function app's) application settings: that is a POST to .../config/appsettings/list, which
// is this action. TopDeck reads them to find what an app depends on (connection strings name a
// SQL server, a storage account, a Redis host, a Key Vault reference...) and keeps only the
// setting names and the resulting edges; the values are never stored or logged.
@export()
var discoveryRoleActions = [
  'Microsoft.Web/sites/config/list/action'
]

@export()
var discoveryRoleDescription = 'TopDeck discovery: what Reader cannot read. Microsoft.Web/sites/config/list/action reads App Service and Function App settings to find their dependencies; TopDeck keeps setting names and edges only, never the values.'
