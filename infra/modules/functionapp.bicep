// The Function App on the Flex Consumption plan (FC1, Linux, Node 22), every app setting
// TopDeck reads in Azure, and App Service Authentication (Microsoft Entra ID) in front of the
// HTTP API. Settings come from module outputs and parameters only; the one secret (the Azure
// DevOps PAT) arrives as a Key Vault reference resolved with the user-assigned identity, and
// Redis needs none (Entra tokens of the identity). TOPDECK_ARM_TOKEN is deliberately absent:
// it is a fixed bearer token for emulators and tests, and in Azure the identity signs in instead.

@description('Function App name (also the <name>.azurewebsites.net host name), globally unique.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Region of the plan and the app.')
param location string

@description('Tags for the plan and the app; the app also gets azd-service-name=api.')
param tags object = {}

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity (DefaultAzureCredential, storage, App Insights).')
param identityClientId string

@description('Storage account for the host, queues, tables and the deployment package.')
param storageAccountName string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Versionless Key Vault secret URI of the Azure DevOps PAT; empty = no PAT was given (no reference is set).')
param azureDevOpsPatSecretUri string = ''

@description('REDIS_URL without a secret: rediss://<identity object id>@<host>:10000; empty = no cache.')
param redisUrl string = ''

@description('Client (application) id of the Entra app registration that signs users in to the API; empty = App Service Authentication off.')
param apiAuthClientId string = ''

@description('SCAN_SCHEDULE: NCRONTAB, six fields, seconds first.')
param scanSchedule string = '0 0 */6 * * *'

@description('TOPDECK_WATCHDOG_MINUTES: minutes without progress before the watchdog ends a scan as partial.')
@minValue(1)
param watchdogMinutes int = 30

@description('AZURE_SUBSCRIPTION_IDS: subscriptions to scan; empty = every subscription the identity can see.')
param subscriptionIds string[] = []

@description('AZURE_RESOURCE_GROUP: optional resource group filter for scans.')
param scanResourceGroup string = ''

@description('TOPDECK_ARM_ENDPOINT: Resource Manager endpoint; empty = the app default (public cloud).')
param armEndpoint string = ''

@description('AZURE_DEVOPS_ORG; empty turns the Azure DevOps part off.')
param azureDevOpsOrg string = ''

@description('AZURE_DEVOPS_PROJECT: one project, a comma list, or empty for all.')
param azureDevOpsProject string = ''

@description('AZURE_DEVOPS_BASE_URL.')
param azureDevOpsBaseUrl string = 'https://dev.azure.com'

@description('Upper bound on instances: also caps how hard TopDeck can hit Resource Manager and Azure DevOps.')
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory of each instance in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    // Flex Consumption is Linux only.
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the target of `azd deploy` for service "api" by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity (it holds Key Vault Secrets User).
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      // Flex sets the runtime here; FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION are
      // not allowed as app settings on this plan.
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Deployments go through Microsoft Entra ID (azd, `az functionapp deploy`); no publishing passwords.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Host and app storage through the identity; no AzureWebJobsStorage connection string exists.
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId

    // DefaultAzureCredential picks the user-assigned identity by this client id.
    AZURE_CLIENT_ID: identityClientId

    // Local auth is off on the component: telemetry is sent with an Entra token of this identity.
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

    SCAN_SCHEDULE: scanSchedule
    TOPDECK_WATCHDOG_MINUTES: string(watchdogMinutes)
    // Guessed dependencies (same resource group) stay off: only edges Azure's answers prove.
    TOPDECK_HEURISTIC_EDGES: 'false'
    AZURE_SUBSCRIPTION_IDS: join(subscriptionIds, ',')
    AZURE_RESOURCE_GROUP: scanResourceGroup
    TOPDECK_ARM_ENDPOINT: armEndpoint

    AZURE_DEVOPS_ORG: azureDevOpsOrg
    AZURE_DEVOPS_PROJECT: azureDevOpsProject
    AZURE_DEVOPS_BASE_URL: azureDevOpsBaseUrl
    // Only ever a Key Vault reference, and only when a PAT was stored: a reference to a secret
    // that does not exist would reach the app unresolved. Empty while Azure DevOps is off.
    AZURE_DEVOPS_PAT: empty(azureDevOpsOrg) || empty(azureDevOpsPatSecretUri)
      ? ''
      : '@Microsoft.KeyVault(SecretUri=${azureDevOpsPatSecretUri})'

    // No secret: Azure Managed Redis accepts only Entra tokens of this identity. Empty = no cache.
    REDIS_URL: redisUrl
    REDIS_CREDENTIAL: empty(redisUrl) ? '' : 'managedidentity'
  }
}

// App Service Authentication in front of every route: a browser signs in with Microsoft Entra ID
// (the operator page then calls the API with its session cookie), a script sends an Entra token
// for the app registration. Function keys stay required by the HTTP routes on top of it, so
// automation that holds a key still needs an identity, and a leaked key alone opens nothing.
resource auth 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(apiAuthClientId)) {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      // A browser opening /api/ui is sent to the sign-in page; scripts send a bearer token.
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: apiAuthClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          // Tokens for the app registration itself (a browser session) or for its Application ID URI (scripts).
          allowedAudiences: [
            apiAuthClientId
            'api://${apiAuthClientId}'
          ]
        }
      }
    }
    login: {
      // The session cookie is all the operator page needs; no provider tokens are kept.
      tokenStore: {
        enabled: false
      }
    }
    httpSettings: {
      requireHttps: true
    }
  }
}

output id string = site.id
output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output url string = 'https://${site.properties.defaultHostName}'
