// Resource Manager cannot deploy from a subscription straight to a management group, only to
// the tenant and from there to a management group. This hop is all this file does; it runs
// only when main.bicep gets a managementGroupId, and needs rights to deploy at tenant scope
// (Microsoft.Resources/deployments/write on "/"). See roleassignments-managementgroup.bicep
// for the direct alternative.

targetScope = 'tenant'

import { roleAssignmentSpec } from 'types.bicep'

@description('Management group that receives the assignments.')
param managementGroupId string

@description('Every role assignment of the deployment; the management group module applies its own.')
param assignments roleAssignmentSpec[]

@description('Name of the nested management group deployment.')
param deploymentName string

module managementGroupAssignments 'roleassignments-managementgroup.bicep' = {
  name: deploymentName
  scope: managementGroup(managementGroupId)
  params: {
    assignments: assignments
  }
}

output count int = managementGroupAssignments.outputs.count
