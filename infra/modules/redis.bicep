// Azure Managed Redis (Microsoft.Cache/redisEnterprise) for TopDeck's read-through cache and
// shared rate-limit budgets. The database access key never leaves Azure Resource Manager:
// this module reads it (listKeys) and writes the whole connection URL into Key Vault, and the
// Function App gets REDIS_URL as a Key Vault reference.

@description('Cluster name: 1-60 letters, digits and single hyphens.')
param name string

@description('Region of the cluster.')
param location string

@description('Tags for the cluster.')
param tags object = {}

@description('Azure Managed Redis SKU. Balanced_B0 is the smallest; the cache is an optimisation (TopDeck works without it), so size for the rate limiter and the read-through cache, not for durability.')
param skuName string = 'Balanced_B0'

@description('Replicate the data set. Off halves the price; losing the cache only makes TopDeck slower.')
param highAvailability bool = false

@description('Existing Key Vault (same resource group) that receives the REDIS_URL secret.')
param keyVaultName string

@description('Name of the secret that holds the full rediss:// URL.')
param redisUrlSecretName string = 'redis-url'

// Azure Managed Redis serves TLS on 10000; there is no plain-text port when clientProtocol is Encrypted.
var port = 10000

resource cluster 'Microsoft.Cache/redisEnterprise@2025-07-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: skuName
  }
  properties: {
    minimumTlsVersion: '1.2'
    highAvailability: highAvailability ? 'Enabled' : 'Disabled'
    publicNetworkAccess: 'Enabled'
  }
}

resource database 'Microsoft.Cache/redisEnterprise/databases@2025-07-01' = {
  parent: cluster
  name: 'default'
  properties: {
    clientProtocol: 'Encrypted'
    port: port
    // One endpoint that a plain (non-cluster) client such as ioredis' `new Redis(url)` can use;
    // OSSCluster would answer with MOVED redirections it does not follow.
    clusteringPolicy: 'EnterpriseCluster'
    // Cache entries and limiter counters all carry TTLs; evict those first under memory pressure.
    evictionPolicy: 'VolatileLRU'
    // ioredis authenticates with the access key. Newer API versions default this to Disabled.
    accessKeysAuthentication: 'Enabled'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource redisUrlSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: redisUrlSecretName
  properties: {
    // The key is base64 and may contain "/", "+" and "=": percent-encode it for the URL.
    value: 'rediss://:${uriComponent(database.listKeys().primaryKey)}@${cluster.properties.hostName}:${port}'
    contentType: 'Redis connection URL (REDIS_URL)'
  }
}

output id string = cluster.id
output name string = cluster.name
output hostName string = cluster.properties.hostName
// Versionless: after a key regeneration, a redeployment writes a new secret version, and the app
// picks it up (Key Vault references refresh within 24 hours, or when the app's configuration changes).
output redisUrlSecretUri string = redisUrlSecret.properties.secretUri
