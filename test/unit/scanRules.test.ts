import { describe, expect, it } from 'vitest';
import { TopDeckError } from '../../src/errors/TopDeckError';
import { describeFailure } from '../../src/scan/describeFailure';
import { finalizeMessageSchema, pageMessageSchema, parseQueuePayload } from '../../src/scan/messages';
import { groupErrors } from '../../src/scan/summarizeTasks';
import type { TaskRow } from '../../src/scan/ScanRecords';

const task = {
  subscriptionId: 'sub-1',
  resourceType: 'Microsoft.Compute/virtualMachines',
  resourceGroup: 'rg-x',
};
const err = (statusCode: number, code: string) =>
  new TopDeckError({ code, message: 'm', transient: false, statusCode });

describe('what a permanent error means for a task', () => {
  it.each([
    [409, 'MissingSubscriptionRegistration', 'skip', 'az provider register -n Microsoft.Compute'],
    [404, 'NoRegisteredProviderFound', 'skip', 'not registered'],
    [401, 'InvalidAuthenticationToken', 'fail', 'TOPDECK_ARM_TOKEN'],
    [403, 'AuthorizationFailed', 'fail', 'Reader role on subscription sub-1'],
    [404, 'ResourceGroupNotFound', 'fail', 'AZURE_RESOURCE_GROUP'],
    [404, 'SubscriptionNotFound', 'fail', 'AZURE_SUBSCRIPTION_IDS'],
    [400, 'BadRequest', 'fail', 'failed permanently'],
  ])('%s %s → %s', (status, code, kind, text) => {
    const f = describeFailure(err(status, code), task);
    expect(f.kind).toBe(kind);
    expect(f.message).toContain(text);
  });
});

describe('queue messages', () => {
  const page = {
    kind: 'page',
    scanId: 's',
    taskId: 't',
    subscriptionId: 'sub',
    resourceType: 'Microsoft.Compute/virtualMachines',
    page: 1,
    correlationId: 's',
  };
  it.each([
    ['an object', page],
    ['JSON text', JSON.stringify(page)],
    ['base64 JSON', Buffer.from(JSON.stringify(page)).toString('base64')],
    ['a Buffer', Buffer.from(JSON.stringify(page))],
  ])('accepts %s', (_, payload) => {
    expect(parseQueuePayload(pageMessageSchema, payload)).toEqual({ ok: true, value: page });
  });

  it.each([
    ['not JSON', 'garbage!!', 'not JSON'],
    ['a wrong field type', { ...page, page: 0 }, 'page'],
    ['a missing field', { ...page, scanId: undefined }, 'scanId'],
  ])('rejects %s with a reason', (_, payload, text) => {
    const r = parseQueuePayload(pageMessageSchema, payload);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toContain(text);
  });

  it('defaults the finalize reason', () => {
    const r = parseQueuePayload(finalizeMessageSchema, { kind: 'finalize', scanId: 's', correlationId: 's' });
    expect(r.ok && r.value.reason).toBe('tasks-done');
  });
});

describe('the scan error summary', () => {
  it('groups failed tasks by code with counts, capped', () => {
    const row = (taskId: string, status: TaskRow['status'], errorCode?: string): TaskRow => ({
      taskId,
      subscriptionId: 's',
      resourceType: 't',
      status,
      updatedAt: '',
      ...(errorCode ? { errorCode, error: `${errorCode} happened` } : {}),
    });
    const groups = groupErrors(
      [
        row('a', 'failed', 'X'),
        row('b', 'failed', 'Y'),
        row('c', 'failed', 'X'),
        row('d', 'completed'),
        row('e', 'skipped', 'Z'),
      ],
      5,
    );
    expect(groups).toEqual([
      { code: 'X', count: 2, message: 'X happened', tasks: ['a', 'c'] },
      { code: 'Y', count: 1, message: 'Y happened', tasks: ['b'] },
    ]);
    expect(groupErrors([row('a', 'failed', 'X'), row('b', 'failed', 'Y')], 1)).toHaveLength(1);
  });
});
