// The event subscription that sends one target subscription's resource events to TopDeck's
// `resource-events` queue: only the three event types TopDeck reads, never TopDeck's own
// resource group (it would chase its own writes), delivered and dead-lettered with the topic's
// identity (no keys, no SAS). Deployed after that identity holds Storage Queue Data Message
// Sender on the queue and Storage Blob Data Contributor on the dead-letter container
// (modules/identityroles.bicep).

@description('The system topic of this subscription (resourceevents-systemtopic.bicep).')
param topicName string

@description('Resource id of TopDeck\'s storage account.')
param storageAccountId string

@description('The queue TopDeck reads.')
param queueName string

@description('Blob container for undeliverable events.')
param deadLetterContainerName string

@description('Resource id of TopDeck\'s own resource group: its events are filtered out.')
param topdeckResourceGroupId string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: topicName
}

resource toQueue 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: 'topdeck-resource-events'
  properties: {
    eventDeliverySchema: 'EventGridSchema'
    deliveryWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      destination: {
        endpointType: 'StorageQueue'
        properties: {
          resourceId: storageAccountId
          queueName: queueName
          // Kept until read (-1): the scan reconciles anyway, but an event should not expire unread.
          queueMessageTimeToLiveInSeconds: -1
        }
      }
    }
    filter: {
      includedEventTypes: [
        'Microsoft.Resources.ResourceWriteSuccess'
        'Microsoft.Resources.ResourceDeleteSuccess'
        'Microsoft.Resources.ResourceActionSuccess'
      ]
      // String filters compare case-insensitively: resource group ids come in several casings.
      advancedFilters: [
        {
          operatorType: 'StringNotBeginsWith'
          key: 'subject'
          values: [
            topdeckResourceGroupId
          ]
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: storageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

output name string = toQueue.name
