import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { RESOURCE_EVENT_TYPES, RESOURCE_EVENTS_QUEUE } from '../../src/events/ResourceEvent';
import {
  type BicepFile,
  type Declaration,
  bodyObject,
  declarations,
  declarationString,
  descendants,
  find,
  isExisting,
  isLoop,
  loadBicepParser,
  namedChildren,
  parseBicep,
  properties,
  property,
  resourceType,
  stringLiteral,
  stringLiterals,
  syntaxErrors,
} from './bicepSyntax';

/** infra/ for resource events (issue 19), read with tree-sitter as the other infra tests do. */
const ROOT = path.resolve(__dirname, '..', '..');
const FILES = [
  'main.bicep',
  'modules/identityroles.bicep',
  'modules/resourceevents-queue.bicep',
  'modules/resourceevents-topic.bicep',
  'modules/resourceevents-systemtopic.bicep',
  'modules/resourceevents-subscription.bicep',
];
const parsed = new Map<string, BicepFile>();

beforeAll(async () => {
  const parser = await loadBicepParser(ROOT);
  for (const f of FILES) parsed.set(f, parseBicep(parser, ROOT, path.join(ROOT, 'infra', f)));
});

const bicep = (f: string) => parsed.get(f) as BicepFile;

function resourceBody(file: string, type: string): Node {
  const found = declarations(bicep(file)).filter(
    (d) => d.kind === 'resource' && resourceType(d).type === type && !isExisting(d),
  );
  expect(found, `${file}: one ${type}`).toHaveLength(1);
  return bodyObject((found[0] as Declaration).node) as Node;
}

const text = (n: Node | undefined) => stringLiteral(n) ?? n?.text;
const moduleParams = (name: string) =>
  property(bodyObject((find(bicep('main.bicep'), 'module', name) as Declaration).node), 'params');

describe('infra: resource events', () => {
  it('parses', () => {
    for (const f of FILES) expect(syntaxErrors(bicep(f).root), f).toEqual([]);
  });

  it('a system topic per scanned subscription, of type Microsoft.Resources.Subscriptions, with its own identity', () => {
    const topic = resourceBody(
      'modules/resourceevents-systemtopic.bicep',
      'Microsoft.EventGrid/systemTopics',
    );
    expect(text(property(topic, 'properties', 'topicType'))).toBe('Microsoft.Resources.Subscriptions');
    expect(text(property(topic, 'properties', 'source'))).toBe('subscription().id');
    expect(text(property(topic, 'identity', 'type'))).toBe('SystemAssigned');
    // main.bicep: one per subscription the deployment scans, in a group of that subscription
    const main = bicep('main.bicep');
    const topics = find(main, 'module', 'eventTopics') as Declaration;
    expect(declarationString(topics)).toBe('modules/resourceevents-topic.bicep');
    expect(isLoop(topics.node)).toBe(true);
    expect(topics.node.text).toMatch(/for subscriptionId in eventSubscriptionIds/);
    expect(text(property(bodyObject(topics.node), 'scope'))).toBe('subscription(subscriptionId)');
    const ids = find(main, 'variable', 'eventSubscriptionIds') as Declaration;
    expect(ids.node.text).toMatch(/resourceEvents \? scannedSubscriptionIds : \[\]/);
  });

  it('an event subscription to the resource-events queue with the topic identity, three types, TopDeck excluded, dead letters kept', () => {
    const sub = resourceBody(
      'modules/resourceevents-subscription.bicep',
      'Microsoft.EventGrid/systemTopics/eventSubscriptions',
    );
    const p = property(sub, 'properties');
    // identity delivery only: no key-based destination
    expect(properties(p).has('destination')).toBe(false);
    expect(properties(p).has('deadLetterDestination')).toBe(false);
    expect(text(property(p, 'deliveryWithResourceIdentity', 'identity', 'type'))).toBe('SystemAssigned');
    const destination = property(p, 'deliveryWithResourceIdentity', 'destination');
    expect(text(property(destination, 'endpointType'))).toBe('StorageQueue');
    expect(text(property(destination, 'properties', 'queueName'))).toBe('queueName');
    expect(stringLiterals(property(p, 'filter', 'includedEventTypes') as Node)).toEqual([
      ...RESOURCE_EVENT_TYPES,
    ]);
    const filters = namedChildren(property(p, 'filter', 'advancedFilters') as Node).filter(
      (n) => n.type === 'object',
    );
    expect(filters).toHaveLength(1);
    const filter = filters[0];
    expect(text(property(filter, 'operatorType'))).toBe('StringNotBeginsWith');
    expect(text(property(filter, 'key'))).toBe('subject');
    expect(property(filter, 'values')?.text.replace(/\s+/g, ' ')).toBe('[ topdeckResourceGroupId ]');
    const dead = property(p, 'deadLetterWithResourceIdentity');
    expect(text(property(dead, 'identity', 'type'))).toBe('SystemAssigned');
    expect(text(property(dead, 'deadLetterDestination', 'endpointType'))).toBe('StorageBlob');
    expect(text(property(dead, 'deadLetterDestination', 'properties', 'blobContainerName'))).toBe(
      'deadLetterContainerName',
    );
    // what main.bicep passes: the queue TopDeck reads, TopDeck's own group, after the roles
    const params = moduleParams('eventDelivery');
    expect(text(property(params, 'queueName'))).toBe('eventsQueue.outputs.queueName');
    expect(text(property(params, 'topdeckResourceGroupId'))).toBe('rg.id');
    const delivery = find(bicep('main.bicep'), 'module', 'eventDelivery') as Declaration;
    expect(property(bodyObject(delivery.node), 'dependsOn')?.text).toMatch(/resourceRoles/);
  });

  it('the queue is the one the function reads, and the dead-letter container is in the same account', () => {
    const q = bicep('modules/resourceevents-queue.bicep');
    const queueName = find(q, 'parameter', 'queueName') as Declaration;
    expect(stringLiterals(queueName.node)).toContain(RESOURCE_EVENTS_QUEUE);
    resourceBody(
      'modules/resourceevents-queue.bicep',
      'Microsoft.Storage/storageAccounts/queueServices/queues',
    );
    const container = resourceBody(
      'modules/resourceevents-queue.bicep',
      'Microsoft.Storage/storageAccounts/blobServices/containers',
    );
    expect(text(property(container, 'properties', 'publicAccess'))).toBe('None');
    const out = find(q, 'output', 'queueId') as Declaration;
    expect(namedChildren(out.node).at(-1)?.text).toBe('queue.id');
  });

  it("the topic's identity may send to that queue only (Storage Queue Data Message Sender) and write dead letters to that container only", () => {
    const list = bicep('modules/identityroles.bicep');
    const entries = descendants(list.root).filter(
      (n) => n.type === 'object' && properties(n).get('principalId')?.text === 'topicPrincipalId',
    );
    expect(
      entries
        .map((e) => [properties(e).get('roleDefinitionId')?.text, properties(e).get('scope')?.text])
        .sort(),
    ).toEqual([
      ['roles.storageBlobDataContributor', 'deadLetterContainerId'],
      ['roles.storageQueueDataMessageSender', 'resourceEventsQueueId'],
    ]);
    const params = moduleParams('identityRoles');
    expect(text(property(params, 'resourceEventsQueueId'))).toBe('eventsQueue.outputs.queueId');
    expect(text(property(params, 'deadLetterContainerId'))).toBe('eventsQueue.outputs.deadLetterContainerId');
    expect(property(params, 'eventTopicPrincipalIds')?.text).toMatch(
      /eventTopics\[i\]\.outputs\.principalId/,
    );
  });

  it('host.json polls the queue at most 2 s apart and reads base64 messages, as Event Grid writes them', () => {
    const host = JSON.parse(readFileSync(path.join(ROOT, 'host.json'), 'utf8')) as {
      extensions: { queues: { maxPollingInterval: string; messageEncoding: string } };
    };
    const [h, m, s] = host.extensions.queues.maxPollingInterval.split(':').map(Number);
    // the deployed p99 budget (docs/events.md): Event Grid delivery + this interval + the refresh < 15 s
    expect(((h ?? 0) * 3600 + (m ?? 0) * 60 + (s ?? 0)) * 1000).toBeLessThanOrEqual(2_000);
    expect(host.extensions.queues.messageEncoding).toBe('base64');
  });
});
