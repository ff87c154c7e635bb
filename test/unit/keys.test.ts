import { describe, expect, it } from 'vitest';
import {
  escapeKeyPart,
  locateResourceKey,
  prefixEnd,
  resourceKeyFromId,
  resourcePartitionKey,
  resourceTypePartitionPrefix,
  resourceRowKey,
  unescapeKeyPart,
} from '../../src/storage/keys';

const VM =
  '/subscriptions/0B1F0000-0000-0000-0000-000000000001/resourceGroups/RG-Prod/providers/Microsoft.Compute/virtualMachines/vm-1';

describe('the Table key scheme', () => {
  it.each([
    ['/a/b', '|a|b'],
    [
      '/Subscriptions/S1/resourceGroups/RG-1/providers/A.B/c/D_e.f',
      '|subscriptions|s1|resourcegroups|rg-1|providers|a.b|c|d_e.f',
    ],
    ['A#B?C\\D', 'a%23b%3fc%5cd'.replace('%3f', '%3F').replace('%5c', '%5C')],
    ['50%|x~y', '50%25%7Cx%7Ey'],
    ['tab\there', 'tab%09here'],
  ])('escapes %j without forbidden characters', (input, expected) => {
    const out = escapeKeyPart(input);
    expect(out).toBe(expected);
    expect(out).not.toMatch(/[/\\#?\u0000-\u001f]/);
    expect(unescapeKeyPart(out)).toBe(input.toLowerCase());
  });

  it('partitions by subscription, type and resource group (lower-cased), rows by lower-cased id', () => {
    expect(resourcePartitionKey('0B1F', 'Microsoft.Compute/virtualMachines', 'RG-Prod')).toBe(
      '0b1f|microsoft.compute|virtualmachines~rg-prod',
    );
    expect(resourceTypePartitionPrefix('0B1F', 'Microsoft.Sql/servers')).toBe('0b1f|microsoft.sql|servers~');
    // A nested type never shares a prefix with its parent's partitions.
    expect(
      resourcePartitionKey('s', 'Microsoft.Sql/servers/databases', '').startsWith(
        resourceTypePartitionPrefix('s', 'Microsoft.Sql/servers'),
      ),
    ).toBe(false);
    expect(resourceRowKey(VM)).toBe(resourceRowKey(VM.toLowerCase()));
  });

  it('turns an API key back into the table location, case-insensitively by id', () => {
    const key = resourceKeyFromId(VM);
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(resourceKeyFromId(VM.toUpperCase())).toBe(key);
    expect(locateResourceKey(key)).toEqual({
      id: VM.toLowerCase(),
      partitionKey: '0b1f0000-0000-0000-0000-000000000001|microsoft.compute|virtualmachines~rg-prod',
      rowKey: resourceRowKey(VM),
    });
  });

  it.each(['', 'short', 'has spaces in it', 'bm9wZQ', resourceKeyFromId('/not/an/arm/id')])(
    'rejects %j as a key',
    (key) => {
      expect(locateResourceKey(key)).toBeUndefined();
    },
  );

  it('bounds a prefix range', () => {
    expect(prefixEnd('task|')).toBe('task}');
    expect('task|zzz' < prefixEnd('task|')).toBe(true);
  });
});
