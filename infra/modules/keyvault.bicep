// Key Vault for the two secrets the app reads through Key Vault references: the Azure
// DevOps PAT and the Redis URL (written by redis.bicep). RBAC authorization only: the app's
// identity gets Key Vault Secrets User, nothing can be granted through access policies.

@description('Key Vault name: 3-24 letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Region of the vault.')
param location string

@description('Tags for the vault.')
param tags object = {}

@secure()
@description('Azure DevOps personal access token. Empty leaves the secret as it is (absent on a first deployment); set it later with `az keyvault secret set`.')
param azureDevOpsPat string = ''

@description('Name of the secret that holds the Azure DevOps PAT.')
param azureDevOpsPatSecretName string = 'azure-devops-pat'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    // The minimum. Purge protection stays off so `azd down --purge` can free the name.
    softDeleteRetentionInDays: 7
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Created only when a PAT is passed, so a later deployment without it never blanks a PAT
// that was set (or rotated) directly in the vault.
resource azureDevOpsPatSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = if (!empty(azureDevOpsPat)) {
  parent: vault
  name: azureDevOpsPatSecretName
  properties: {
    value: azureDevOpsPat
    contentType: 'Azure DevOps personal access token'
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
// Versionless, so the app picks up a rotated PAT without a redeployment. Built from the
// vault URI rather than the conditional secret, which may not be part of this deployment.
output azureDevOpsPatSecretUri string = '${vault.properties.vaultUri}secrets/${azureDevOpsPatSecretName}'
