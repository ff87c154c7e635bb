// Where Azure's resource events land: the `resource-events` queue in TopDeck's own storage
// account (the Functions host reads it with the identity it already has), and a blob container
// that keeps what Event Grid could not deliver (dead-lettering), so an undeliverable event is
// kept rather than lost.

@description('Name of TopDeck\'s storage account (modules/storage.bicep).')
param storageAccountName string

@description('The queue TopDeck\'s resource-events function reads (src/events/ResourceEvent.ts).')
param queueName string = 'resource-events'

@description('Blob container for the events Event Grid could not deliver.')
param deadLetterContainerName string = 'resource-events-deadletter'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource queue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: queueName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' existing = {
  parent: storage
  name: 'default'
}

resource deadLetters 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deadLetterContainerName
  properties: {
    publicAccess: 'None'
  }
}

output storageAccountId string = storage.id
output queueId string = queue.id
output queueName string = queue.name
output deadLetterContainerId string = deadLetters.id
output deadLetterContainerName string = deadLetters.name
