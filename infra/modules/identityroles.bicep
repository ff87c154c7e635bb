// The complete list of roles this deployment grants, as ONE array of
// { principalId, roleDefinitionId, scope, principalType? }: everything TopDeck's identity holds,
// plus Key Vault Secrets Officer on TopDeck's own vault for the principal running the deployment
// (so that it can store and rotate the Azure DevOps PAT; the vault is RBAC-only). This module deploys nothing: main.bicep passes its
// output to the one-loop-per-scope-type modules (roleassignments.bicep for resources,
// roleassignments-subscription.bicep, roleassignments-managementgroup.bicep), each of which
// applies the entries for its own scope. Building the list here, from parameters, keeps
// run-time values (the identity's principal id, resource ids) out of lambda expressions.

import { roleAssignmentSpec } from 'types.bicep'

@description('Object id of the identity that receives every role.')
param principalId string

@description('Scopes that get Reader and the discovery role: /subscriptions/<id> for each scanned subscription (empty when a management group deployment grants them instead).')
param readerScopes string[]

@description('GUID of the custom discovery role (modules/discoveryrole.bicep), assigned wherever Reader is; empty when readerScopes is.')
param discoveryRoleId string

@description('Object id of the principal running the deployment (deployer().objectId): it gets Key Vault Secrets Officer on the vault.')
param deployerPrincipalId string

@description('Resource id of TopDeck\'s storage account.')
param storageAccountId string

@description('Resource id of TopDeck\'s Key Vault.')
param keyVaultId string

@description('Resource id of TopDeck\'s Application Insights component.')
param applicationInsightsId string

@description('Object ids of the Event Grid system topics (one per scanned subscription, modules/resourceevents-topic.bicep) that deliver resource events; empty when events are off.')
param eventTopicPrincipalIds string[] = []

@description('Resource id of the resource-events queue (modules/resourceevents-queue.bicep): the topics may add messages to it and to nothing else.')
param resourceEventsQueueId string = ''

@description('Resource id of the blob container that keeps undeliverable events.')
param deadLetterContainerId string = ''

// Built-in role definition GUIDs (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
// Nothing broader is granted: no Owner, no Contributor, no Storage Account Contributor, no listKeys.
var roles = {
  // Read every resource's configuration in the scanned subscriptions (Resource Manager reads only).
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7'
  // The discovery and finalize queues, their poison queues, and the host's queue triggers.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  // The resources, dependencies, scans, changes, ... tables (and the host's diagnostic events).
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  // Blob: the Functions host keeps its keys, timer singleton locks and leases in blobs of
  // AzureWebJobsStorage, and Flex Consumption reads the deployment package from a container with
  // the same identity. Microsoft documents Storage Blob Data Owner as the role for host storage
  // over an identity ("read and write access to blobs and the ability to create containers");
  // Blob Data Contributor is not the documented minimum, so Owner it is. It is still data-plane
  // only, on one account that holds nothing but TopDeck's own data.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Resolve the Key Vault reference of the Azure DevOps PAT.
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // For the deploying principal only: write the PAT secret (this deployment, or a rotation with
  // `az keyvault secret set`); on TopDeck's own vault, which holds nothing else.
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'
  // The one extra role: Application Insights has local (key) authentication disabled, so it
  // accepts telemetry only from an Entra identity holding Monitoring Metrics Publisher on the
  // component (despite the name it covers all telemetry: traces, requests, dependencies, metrics).
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  // Inside AKS clusters (src/kubernetes/): listClusterUserCredential, for each cluster's API
  // server address and CA (Azure Kubernetes Service Cluster User Role: that action only) ...
  aksClusterUser: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f'
  // ... and reading workloads on clusters that use Azure RBAC for Kubernetes (Azure Kubernetes
  // Service RBAC Reader: read-only, and it cannot read Secrets). Clusters using Kubernetes RBAC
  // need a ClusterRoleBinding instead (docs/kubernetes.md).
  aksRbacReader: '7f6c6a51-bcf8-42ba-9220-52d62157d7db'
  // For the Event Grid system topics only: add messages to the resource-events queue, scoped to
  // that one queue (no read, no delete, no other queue).
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a'
  // For the same topics: write what they could not deliver into the dead-letter container, scoped
  // to that one container.
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
}

var readerAssignments = map(readerScopes, readerScope => {
  principalId: principalId
  roleDefinitionId: roles.reader
  scope: readerScope
  principalType: 'ServicePrincipal'
})

// The custom role (Microsoft.Web/sites/config/list/action, see types.bicep) goes wherever Reader goes.
var discoveryAssignments = map(readerScopes, readerScope => {
  principalId: principalId
  roleDefinitionId: discoveryRoleId
  scope: readerScope
  principalType: 'ServicePrincipal'
})

// The AKS roles go wherever Reader goes: the clusters are found by the scan, not known here.
var aksClusterUserAssignments = map(readerScopes, readerScope => {
  principalId: principalId
  roleDefinitionId: roles.aksClusterUser
  scope: readerScope
  principalType: 'ServicePrincipal'
})

var aksRbacReaderAssignments = map(readerScopes, readerScope => {
  principalId: principalId
  roleDefinitionId: roles.aksRbacReader
  scope: readerScope
  principalType: 'ServicePrincipal'
})

var eventSenderAssignments = map(eventTopicPrincipalIds, topicPrincipalId => {
  principalId: topicPrincipalId
  roleDefinitionId: roles.storageQueueDataMessageSender
  scope: resourceEventsQueueId
  principalType: 'ServicePrincipal'
})

var deadLetterAssignments = map(eventTopicPrincipalIds, topicPrincipalId => {
  principalId: topicPrincipalId
  roleDefinitionId: roles.storageBlobDataContributor
  scope: deadLetterContainerId
  principalType: 'ServicePrincipal'
})

var resourceAssignments = [
  {
    principalId: principalId
    roleDefinitionId: roles.storageQueueDataContributor
    scope: storageAccountId
    principalType: 'ServicePrincipal'
  }
  {
    principalId: principalId
    roleDefinitionId: roles.storageTableDataContributor
    scope: storageAccountId
    principalType: 'ServicePrincipal'
  }
  {
    principalId: principalId
    roleDefinitionId: roles.storageBlobDataOwner
    scope: storageAccountId
    principalType: 'ServicePrincipal'
  }
  {
    principalId: principalId
    roleDefinitionId: roles.keyVaultSecretsUser
    scope: keyVaultId
    principalType: 'ServicePrincipal'
  }
  {
    principalId: principalId
    roleDefinitionId: roles.monitoringMetricsPublisher
    scope: applicationInsightsId
    principalType: 'ServicePrincipal'
  }
  {
    principalId: deployerPrincipalId
    roleDefinitionId: roles.keyVaultSecretsOfficer
    scope: keyVaultId
  }
]

output assignments roleAssignmentSpec[] = concat(
  readerAssignments,
  discoveryAssignments,
  aksClusterUserAssignments,
  aksRbacReaderAssignments,
  resourceAssignments,
  eventSenderAssignments,
  deadLetterAssignments
)
