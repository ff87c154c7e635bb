// The system topic of the subscription this resource group is in (see resourceevents-topic.bicep).

@description('System topic name.')
param name string

@description('Tags for the topic.')
param tags object = {}

@description('A subscription\'s events are not regional: its system topic\'s location is `global`.')
param location string = 'global'

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: subscription().id
    topicType: 'Microsoft.Resources.Subscriptions'
  }
}

output name string = topic.name
output principalId string = topic.identity.principalId
