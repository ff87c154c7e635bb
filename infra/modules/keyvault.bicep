// Key Vault for the one secret the app reads through a Key Vault reference: the Azure DevOps
// PAT. RBAC authorization only: the app's identity gets Key Vault Secrets User and the deploying
// principal Key Vault Secrets Officer (identityroles.bicep), so the PAT can be written by this
// deployment or by `az keyvault secret set`; nothing can be granted through access policies.

@description('Key Vault name: 3-24 letters, digits and hyphens, globally unique.')
@minLength(3)
@maxLength(24)
param name string

@description('Region of the vault.')
param location string

@description('Tags for the vault.')
param tags object = {}

@secure()
@description('Azure DevOps personal access token. Empty leaves the secret as it is and sets no PAT reference on the app.')
param azureDevOpsPat string = ''

@description('Name of the secret that holds the Azure DevOps PAT.')
param azureDevOpsPatSecretName string = 'azure-devops-pat'

@description('Recover a soft-deleted vault of this name (after `azd down` without --purge) instead of creating one; a plain create fails while the deleted vault holds the name.')
param recover bool = false

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
    // 'recover' brings back the soft-deleted vault with its secrets; the properties below then apply.
    createMode: recover ? 'recover' : 'default'
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
// Versionless, so the app picks up a rotated PAT without a redeployment. Empty when no PAT was
// given: the app then gets no reference that could fail to resolve into a 401 on every call.
// Only whether a PAT was given leaves this module, never the PAT.
#disable-next-line outputs-should-not-contain-secrets
output azureDevOpsPatSecretUri string = empty(azureDevOpsPat)
  ? ''
  : '${vault.properties.vaultUri}secrets/${azureDevOpsPatSecretName}'
