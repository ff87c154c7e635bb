import { describe, expect, it } from 'vitest';
import { actorFromClaims } from '../../src/events/actorFromClaims';
import { owningResource } from '../../src/events/owningResource';
import { parseResourceEvents } from '../../src/events/parseResourceEvents';

const SUB = '00000000-0000-0000-0000-0000000000aa';
const VM = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/vm-1`;
const UPN = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';

function eventGrid(over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  return {
    id: 'e-1',
    topic: `/subscriptions/${SUB}`,
    subject: VM,
    eventType: 'Microsoft.Resources.ResourceWriteSuccess',
    eventTime: '2026-12-07T10:00:00.123Z',
    dataVersion: '2',
    metadataVersion: '1',
    data: {
      claims: { [UPN]: 'ana@contoso.example', name: 'Ana', appid: 'app-1', ipaddr: '203.0.113.9', oid: 'x' },
      operationName: 'Microsoft.Compute/virtualMachines/write',
      correlationId: 'corr-1',
      ...data,
    },
    ...over,
  };
}

function cloudEvent(over: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: 'c-1',
    source: `/subscriptions/${SUB}`,
    subject: VM,
    type: 'Microsoft.Resources.ResourceDeleteSuccess',
    time: '2026-12-07T10:00:01Z',
    data: { claims: { appid: 'spn-42' }, operationName: 'Microsoft.Compute/virtualMachines/delete' },
    ...over,
  };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64');

describe('parseResourceEvents', () => {
  it.each([
    ['an Event Grid event, already decoded by the host', eventGrid()],
    ['an Event Grid event as plain JSON text', JSON.stringify(eventGrid())],
    ['an Event Grid event as base64 JSON (what Event Grid writes to a queue)', b64(eventGrid())],
    ['an array of one, base64', b64([eventGrid()])],
    ['a Buffer of base64', Buffer.from(b64(eventGrid()))],
  ])('reads %s', async (_, payload) => {
    const parsed = await parseResourceEvents(payload);
    expect(parsed.malformed).toEqual([]);
    expect(parsed.events).toEqual([
      {
        id: 'e-1',
        eventType: 'Microsoft.Resources.ResourceWriteSuccess',
        subject: VM,
        eventTime: '2026-12-07T10:00:00.123Z',
        actor: 'ana@contoso.example',
        operation: 'Microsoft.Compute/virtualMachines/write',
        correlationId: 'corr-1',
      },
    ]);
  });

  it('reads CloudEvents 1.0, alone and mixed with Event Grid events in an array', async () => {
    const parsed = await parseResourceEvents(b64([cloudEvent(), eventGrid({ id: 'e-2' })]));
    expect(parsed.malformed).toEqual([]);
    expect(parsed.events.map((e) => [e.id, e.eventType, e.actor])).toEqual([
      ['c-1', 'Microsoft.Resources.ResourceDeleteSuccess', 'spn-42'],
      ['e-2', 'Microsoft.Resources.ResourceWriteSuccess', 'ana@contoso.example'],
    ]);
  });

  it('keeps nothing of the claims but the actor', async () => {
    const parsed = await parseResourceEvents(eventGrid());
    const text = JSON.stringify(parsed);
    expect(text).not.toContain('203.0.113.9');
    expect(text).not.toContain('claims');
  });

  it.each([
    ['text that is neither JSON nor base64', '{not json', /neither JSON nor base64/],
    ['base64 of something that is not JSON', Buffer.from('hello there').toString('base64'), /neither JSON/],
    ['an event missing its eventTime', eventGrid({ eventTime: undefined }), /eventTime/],
    ['a CloudEvent of another spec version', cloudEvent({ specversion: '0.3' }), /Cloud Event 1.0/],
    ['a number', 42, /not a JSON object/],
    ['an empty array', [], /empty array/],
    ['an event whose subject is no ARM id', eventGrid({ subject: 'vm-1' }), /no ARM id/],
  ])('reports %s as malformed, without throwing', async (_, payload, reason) => {
    const parsed = await parseResourceEvents(payload);
    expect(parsed.events).toEqual([]);
    expect(parsed.malformed.join(' ')).toMatch(reason);
  });

  it('keeps the readable events of an array that holds a malformed one', async () => {
    const parsed = await parseResourceEvents([eventGrid(), { hello: 1 }]);
    expect(parsed.events).toHaveLength(1);
    expect(parsed.malformed).toHaveLength(1);
  });

  it('sets apart events of other types', async () => {
    const parsed = await parseResourceEvents(eventGrid({ eventType: 'Microsoft.Storage.BlobCreated' }));
    expect(parsed).toEqual({ events: [], otherTypes: ['Microsoft.Storage.BlobCreated'], malformed: [] });
  });
});

describe('actorFromClaims', () => {
  it.each([
    ['the UPN first', { [UPN]: 'ana@contoso.example', name: 'Ana', appid: 'a' }, 'ana@contoso.example'],
    ['else the display name', { name: 'Build Agent', appid: 'a' }, 'Build Agent'],
    [
      'else the application id',
      { appid: '11111111-2222-3333-4444-555555555555' },
      '11111111-2222-3333-4444-555555555555',
    ],
    ['a v2 token: azp', { azp: 'spn-v2' }, 'spn-v2'],
    ['nobody', { oid: 'x', ipaddr: '1.2.3.4' }, undefined],
    ['no claims', undefined, undefined],
  ])('%s', (_, claims, actor) => {
    expect(actorFromClaims(claims)).toBe(actor);
  });
});

describe('owningResource', () => {
  const rg = `/subscriptions/${SUB}/resourceGroups/rg`;
  it.each([
    ['a tracked resource is its own owner', VM, VM, true],
    [
      'a subnet refreshes its network',
      `${rg}/providers/Microsoft.Network/virtualNetworks/v/subnets/s`,
      `${rg}/providers/Microsoft.Network/virtualNetworks/v`,
      true,
    ],
    [
      "a site's app settings refresh the site",
      `${rg}/providers/Microsoft.Web/sites/x/config/appsettings`,
      `${rg}/providers/Microsoft.Web/sites/x`,
      true,
    ],
    [
      'a SQL database is tracked itself',
      `${rg}/providers/Microsoft.Sql/servers/s/databases/d`,
      `${rg}/providers/Microsoft.Sql/servers/s/databases/d`,
      true,
    ],
    ['tags written on a resource refresh it', `${VM}/providers/Microsoft.Resources/tags/default`, VM, true],
    [
      'a type only the generic listing keeps',
      `${rg}/providers/Microsoft.OperationalInsights/workspaces/w`,
      `${rg}/providers/Microsoft.OperationalInsights/workspaces/w`,
      false,
    ],
  ])('%s', (_, subject, id, dedicated) => {
    expect(owningResource(subject)).toMatchObject({ id, dedicated });
  });

  it.each([
    ['a role assignment', `${VM}/providers/Microsoft.Authorization/roleAssignments/r`],
    [
      'a subscription-level role assignment',
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/r`,
    ],
    ['a deployment', `${rg}/providers/Microsoft.Resources/deployments/d`],
    ['a resource group', rg],
    ['diagnostic settings', `${VM}/providers/Microsoft.Insights/diagnosticSettings/d`],
  ])('ignores %s', (_, subject) => {
    expect(owningResource(subject)).toBeUndefined();
  });
});
