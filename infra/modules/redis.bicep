// Azure Managed Redis (Microsoft.Cache/redisEnterprise) for TopDeck's read-through cache and
// shared rate-limit budgets, with Microsoft Entra ID authentication only: access keys are off
// (many tenants deny them by policy, and a key would have to be stored somewhere), and the app's
// identity gets the database's default access policy. The app signs in with the identity's
// object id as the user name and an Entra token as the password (REDIS_CREDENTIAL=managedidentity),
// so there is no Redis secret at all: REDIS_URL holds only the host, the port and that id.

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

@description('Object (principal) id of the identity TopDeck runs as: the one Redis user.')
param principalId string

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
    // Entra ID only: no key exists that could leak, and tenant policies that deny keys are satisfied.
    accessKeysAuthentication: 'Disabled'
  }
}

// The app's identity as a Redis user with the built-in "default" policy (every data command).
// The assignment name allows letters and digits only.
resource appAccess 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments@2025-07-01' = {
  parent: database
  name: take('topdeck${replace(principalId, '-', '')}', 60)
  properties: {
    accessPolicyName: 'default'
    user: {
      objectId: principalId
    }
  }
}

output id string = cluster.id
output name string = cluster.name
output hostName string = cluster.properties.hostName
output port int = port
// No secret in it: the user name is the identity's object id, the password an Entra token.
output url string = 'rediss://${principalId}@${cluster.properties.hostName}:${port}'
