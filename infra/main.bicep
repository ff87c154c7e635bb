// TopDeck on Azure: a resource group holding a Flex Consumption Function App (behind Microsoft
// Entra ID), its storage, Application Insights, Azure Managed Redis (Entra ID only) and Key Vault,
// all used through ONE user-assigned identity; plus Reader and the discovery role for that
// identity on every subscription it scans (a management group is granted by managementgroup.bicep,
// a deployment of its own). Deploy with `azd up`, or:
//   az deployment sub create -l <region> -f infra/main.bicep -p infra/main.parameters.json \
//     -p environmentName=<name> location=<region>

targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Environment name (azd: AZURE_ENV_NAME). With the subscription and the region it seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource (azd: AZURE_LOCATION). It must offer Flex Consumption (`az functionapp list-flexconsumption-locations`) and Azure Managed Redis.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group to create or update; empty = rg-<environmentName>.')
param resourceGroupName string = ''

@description('Subscriptions TopDeck scans (AZURE_SUBSCRIPTION_IDS). Without managementGroupId the identity gets Reader and the discovery role on each, so you need Microsoft.Authorization/roleAssignments/write there; empty = the subscription this deployment runs in. With managementGroupId, empty = every subscription the identity can see.')
param targetSubscriptionIds string[] = []

@description('Optional management group id: this deployment then grants no role on any subscription; deploy infra/managementgroup.bicep at that management group (az deployment mg create, see the README) to grant Reader and the discovery role there.')
param managementGroupId string = ''

@description('SCAN_SCHEDULE: NCRONTAB with six fields, seconds first. Default: every 6 hours.')
param scanSchedule string = '0 0 */6 * * *'

@description('AZURE_RESOURCE_GROUP: optional resource group filter for every scan.')
param scanResourceGroup string = ''

@description('TOPDECK_ARM_ENDPOINT: Resource Manager endpoint; empty = public cloud (the app default).')
param armEndpoint string = ''

@description('AZURE_DEVOPS_ORG: Azure DevOps organisation; empty turns the Azure DevOps part off.')
param azureDevOpsOrg string = ''

@description('AZURE_DEVOPS_PROJECT: one project, a comma list, or empty for every project.')
param azureDevOpsProject string = ''

@description('AZURE_DEVOPS_BASE_URL: Azure DevOps endpoint.')
param azureDevOpsBaseUrl string = 'https://dev.azure.com'

@secure()
@description('Azure DevOps PAT (azd: AZURE_DEVOPS_PAT), stored as a Key Vault secret, never an app setting: the app gets a Key Vault reference, and only when a PAT is given.')
param azureDevOpsPat string = ''

@description('Recover the soft-deleted Key Vault of this environment (after `azd down` without --purge) instead of creating it.')
param recoverKeyVault bool = false

@description('Put App Service Authentication (Microsoft Entra ID) in front of the API. On by default; it needs apiClientId.')
param apiAuthentication bool = true

@description('Client (application) id of the Entra app registration users sign in to (see the README: az ad app create). Required while apiAuthentication is on.')
param apiClientId string = ''

@description('Deploy Azure Managed Redis (REDIS_URL). Without it TopDeck works, slower, with per-instance rate limits; Redis is the largest fixed cost at rest.')
param deployRedis bool = true

@description('Azure Managed Redis SKU.')
param redisSkuName string = 'Balanced_B0'

@description('Replicate the Redis data set (doubles its price).')
param redisHighAvailability bool = false

@description('Flex Consumption maximum instance count; 0 = 40 with Redis, 4 without (without Redis each instance holds a quarter of the Resource Manager budget, so more instances would exceed it).')
@minValue(0)
@maxValue(1000)
param functionMaximumInstanceCount int = 0

@description('Flex Consumption instance memory in MB.')
@allowed([512, 2048, 4096])
param functionInstanceMemoryMB int = 2048

@description('Deliver Azure\'s resource events of every scanned subscription to TopDeck (an Event Grid system topic per subscription, to the resource-events queue), so the map follows changes within seconds. Needs targetSubscriptionIds listed (a management group alone names no subscription); a subscription added later is covered by re-running the deployment.')
param resourceEvents bool = true

@description('Days Log Analytics keeps data.')
param logRetentionInDays int = 30

// ---------------------------------------------------------------------------------------------
// Names and scopes
// ---------------------------------------------------------------------------------------------

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'topdeck'
}
var names = {
  resourceGroup: empty(resourceGroupName) ? 'rg-${environmentName}' : resourceGroupName
  identity: 'id-topdeck-${resourceToken}'
  storage: 'st${resourceToken}'
  deploymentContainer: 'deployment-package'
  logAnalytics: 'log-topdeck-${resourceToken}'
  applicationInsights: 'appi-topdeck-${resourceToken}'
  keyVault: 'kv-${resourceToken}'
  redis: 'redis-topdeck-${resourceToken}'
  plan: 'plan-topdeck-${resourceToken}'
  functionApp: 'func-topdeck-${resourceToken}'
}

// Scanning the deployment subscription by default makes `azd up` useful on its own.
// union() drops duplicates: each subscription gets one Reader deployment.
var scannedSubscriptionIds = empty(managementGroupId) && empty(targetSubscriptionIds)
  ? [subscription().subscriptionId]
  : union(targetSubscriptionIds, [])
// With a management group, managementgroup.bicep grants the roles there; nothing per subscription.
var readerScopes = empty(managementGroupId) ? map(scannedSubscriptionIds, id => '/subscriptions/${id}') : []
// The custom discovery role is defined once, assignable in every scanned subscription: in this
// subscription when it is scanned (a stable home when the list changes), else in the first one.
var discoveryRoleHome = empty(readerScopes) || contains(scannedSubscriptionIds, subscription().subscriptionId)
  ? subscription().subscriptionId
  : scannedSubscriptionIds[0]

// Resource events: one system topic per scanned subscription, in a group of that subscription.
var eventSubscriptionIds = resourceEvents ? scannedSubscriptionIds : []
var eventsGroupName = 'rg-topdeck-events-${resourceToken}'

// On by default: a deployment with authentication on but no app registration stops here, saying
// what to do, rather than exposing the inventory or locking everyone out.
var apiAuthClientId = !apiAuthentication
  ? ''
  : !empty(apiClientId)
      ? apiClientId
      : fail('apiAuthentication is on but apiClientId is empty: create the app registration (README, "Deploy to Azure") and run `azd env set AZURE_API_CLIENT_ID <appId>`, or turn authentication off with `azd env set TOPDECK_API_AUTHENTICATION false`.')

// Without Redis the shared budget falls back to a quarter per instance (src/app/armResilience.ts).
var maximumInstanceCount = functionMaximumInstanceCount > 0 ? functionMaximumInstanceCount : (deployRedis ? 40 : 4)

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: names.resourceGroup
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'topdeck-identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'topdeck-storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: names.deploymentContainer
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'topdeck-monitoring'
  scope: rg
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
    retentionInDays: logRetentionInDays
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'topdeck-keyvault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    azureDevOpsPat: azureDevOpsPat
    recover: recoverKeyVault
  }
}

module redis 'modules/redis.bicep' = if (deployRedis) {
  name: 'topdeck-redis'
  scope: rg
  params: {
    name: names.redis
    location: location
    tags: tags
    skuName: redisSkuName
    highAvailability: redisHighAvailability
    principalId: identity.outputs.principalId
  }
}

module discoveryRole 'modules/discoveryrole.bicep' = if (!empty(readerScopes)) {
  name: 'topdeck-discovery-role-${resourceToken}'
  scope: subscription(discoveryRoleHome)
  params: {
    assignableScopes: readerScopes
    nameSuffix: '${environmentName}-${resourceToken}'
  }
}

module eventsQueue 'modules/resourceevents-queue.bicep' = {
  name: 'topdeck-events-queue'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
  }
}

module eventTopics 'modules/resourceevents-topic.bicep' = [
  for subscriptionId in eventSubscriptionIds: {
    name: 'topdeck-events-${resourceToken}'
    scope: subscription(subscriptionId)
    params: {
      resourceGroupName: eventsGroupName
      location: location
      topicName: 'evgt-topdeck-${resourceToken}'
      tags: tags
    }
  }
]

// Every role TopDeck's identity holds, as one list; each scope type's module applies its part.
module identityRoles 'modules/identityroles.bicep' = {
  name: 'topdeck-identity-roles'
  scope: rg
  params: {
    principalId: identity.outputs.principalId
    readerScopes: readerScopes
    discoveryRoleId: empty(readerScopes) ? '' : discoveryRole.outputs.roleDefinitionGuid
    deployerPrincipalId: deployer().objectId
    storageAccountId: storage.outputs.id
    keyVaultId: keyVault.outputs.id
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    eventTopicPrincipalIds: [for (subscriptionId, i) in eventSubscriptionIds: eventTopics[i].outputs.principalId]
    resourceEventsQueueId: eventsQueue.outputs.queueId
    deadLetterContainerId: eventsQueue.outputs.deadLetterContainerId
  }
}

module resourceRoles 'modules/roleassignments.bicep' = {
  name: 'topdeck-roles'
  scope: rg
  params: {
    assignments: identityRoles.outputs.assignments
  }
}

module subscriptionRoles 'modules/roleassignments-subscription.bicep' = [
  for subscriptionId in (empty(readerScopes) ? [] : scannedSubscriptionIds): {
    name: 'topdeck-reader-${resourceToken}'
    scope: subscription(subscriptionId)
    params: {
      assignments: identityRoles.outputs.assignments
    }
  }
]

// After the topics' identities hold their queue and container roles: delivery starts at once.
module eventDelivery 'modules/resourceevents-subscription.bicep' = [
  for (subscriptionId, i) in eventSubscriptionIds: {
    name: 'topdeck-events-delivery-${resourceToken}'
    scope: resourceGroup(subscriptionId, eventsGroupName)
    params: {
      topicName: eventTopics[i].outputs.topicName
      storageAccountId: eventsQueue.outputs.storageAccountId
      queueName: eventsQueue.outputs.queueName
      deadLetterContainerName: eventsQueue.outputs.deadLetterContainerName
      topdeckResourceGroupId: rg.id
    }
    dependsOn: [
      resourceRoles
    ]
  }
]

module functionApp 'modules/functionapp.bicep' = {
  name: 'topdeck-functionapp'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    azureDevOpsPatSecretUri: keyVault.outputs.azureDevOpsPatSecretUri
    redisUrl: deployRedis ? redis.outputs.url : ''
    apiAuthClientId: apiAuthClientId
    scanSchedule: scanSchedule
    subscriptionIds: scannedSubscriptionIds
    scanResourceGroup: scanResourceGroup
    armEndpoint: armEndpoint
    azureDevOpsOrg: azureDevOpsOrg
    azureDevOpsProject: azureDevOpsProject
    azureDevOpsBaseUrl: azureDevOpsBaseUrl
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: functionInstanceMemoryMB
  }
  // The host starts as soon as the app exists: give its identity storage, Key Vault and
  // App Insights access first, so the first start does not fail on a 403.
  dependsOn: [
    resourceRoles
  ]
}

// ---------------------------------------------------------------------------------------------
// Outputs (azd stores them in .azure/<env>/.env)
// ---------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
// Not AZURE_RESOURCE_GROUP: in TopDeck that name is the scan filter setting.
output AZURE_RESOURCE_GROUP_NAME string = rg.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output AZURE_FUNCTION_APP_URL string = functionApp.outputs.url
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output AZURE_KEY_VAULT_ENDPOINT string = keyVault.outputs.uri
output AZURE_REDIS_NAME string = deployRedis ? redis.outputs.name : ''
output AZURE_MANAGED_IDENTITY_CLIENT_ID string = identity.outputs.clientId
output AZURE_MANAGED_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output TOPDECK_SCANNED_SUBSCRIPTION_IDS string = join(scannedSubscriptionIds, ',')
output TOPDECK_API_AUTHENTICATION_CLIENT_ID string = apiAuthClientId
