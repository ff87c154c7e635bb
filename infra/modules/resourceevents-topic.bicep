// One target subscription's Event Grid system topic (topic type Microsoft.Resources.Subscriptions):
// it emits every resource write, delete and action of the subscription. A system topic lives in
// a resource group of the subscription it watches, so this module creates one there. The topic
// gets a system-assigned identity: Event Grid delivers to TopDeck's queue with it, not with keys.

targetScope = 'subscription'

@description('Resource group (in this subscription) that holds the system topic.')
param resourceGroupName string

@description('Region of that resource group; the topic itself is global.')
param location string

@description('System topic name.')
param topicName string

@description('Tags for the group and the topic.')
param tags object = {}

resource group 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module topic 'resourceevents-systemtopic.bicep' = {
  name: 'topdeck-events-topic'
  scope: group
  params: {
    name: topicName
    tags: tags
  }
}

output principalId string = topic.outputs.principalId
output topicName string = topic.outputs.name
