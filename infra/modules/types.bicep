// Types shared by main.bicep and the role assignment modules.

@export()
@description('One role assignment. roleDefinitionId is the built-in role GUID; scope is the full id of a subscription (/subscriptions/<id>), a management group (/providers/Microsoft.Management/managementGroups/<id>) or a resource.')
type roleAssignmentSpec = {
  @description('Object (principal) id of the identity that receives the role.')
  principalId: string

  @description('GUID of a built-in role definition.')
  roleDefinitionId: string

  @description('Full resource id of the scope the role is granted on.')
  scope: string
}
