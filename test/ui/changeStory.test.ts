import { describe, expect, it } from 'vitest';
import { groupChanges, summarise } from '../../web/src/changeStory';
import type { Change } from '../../web/src/types';

const change = (scanId: string, kind: string, name: string, extra: Partial<Change> = {}): Change => ({
  scanId,
  at: `2026-12-0${scanId.slice(-1)}T00:00:00.000Z`,
  kind,
  resourceId: `/subscriptions/s/resourceGroups/g/providers/T/x/${name}`,
  type: 'T/x',
  name,
  ...extra,
});

describe('the change feed as a story', () => {
  it('groups per scan in the order the API answers, one line each', () => {
    const items = [
      change('scan2', 'added', 'a'),
      change('scan2', 'modified', 'b', { paths: [{ path: 'properties.vmSize', old: 'S', new: 'M' }] }),
      change('scan2', 'modified', 'c'),
      change('scan2', 'edgeRemoved', 'b', { targetId: '/x/subnet1', method: 'arm-reference' }),
      change('scan2', 'edgeAdded', 'b', { targetId: '/x/subnet2', method: 'arm-reference' }),
      change('scan2', 'edgeAdded', 'c', { targetId: '/x/vault', method: 'app-setting' }),
      change('scan1', 'added', 'a'),
      change('scan1', 'added', 'b'),
    ];
    const groups = groupChanges(items);
    expect(groups.map((g) => [g.key, g.items.length])).toEqual([
      ['scan:scan2', 6],
      ['scan:scan1', 2],
    ]);
    expect(groups.map(summarise)).toEqual(['1 added, 2 modified, 1 edge added, 1 edge moved', '2 added']);
  });

  it('shows a baseline as one line, and an event with who did it, grouped by its correlation id', () => {
    const baseline = Array.from({ length: 3 }, (_, i) => change('scan1', 'baseline', `/subscriptions/s${i}`));
    const event = [
      change('scan3', 'modified', 'vm', {
        trigger: 'event',
        actor: 'alice@contoso.com',
        operation: 'Microsoft.Compute/virtualMachines/write',
        correlationId: 'c-1',
      }),
      change('scan3', 'removed', 'disk', {
        trigger: 'event',
        actor: 'alice@contoso.com',
        correlationId: 'c-2',
      }),
    ];
    const groups = groupChanges([...event, ...baseline]);
    expect(groups.map((g) => [g.key, g.trigger, g.actor])).toEqual([
      ['event:c-1', 'event', 'alice@contoso.com'],
      ['event:c-2', 'event', 'alice@contoso.com'],
      ['scan:scan1', 'scan', undefined],
    ]);
    expect(groups[0]?.operation).toBe('Microsoft.Compute/virtualMachines/write');
    expect(groups.map(summarise)).toEqual(['1 modified', '1 removed', 'baseline of 3 subscriptions']);
  });
});
