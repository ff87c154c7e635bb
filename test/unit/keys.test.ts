import { describe, expect, it } from 'vitest';
import {
  escapeKeyPart,
  locateResourceKey,
  prefixEnd,
  resourceKeyFromId,
  resourcePartitionKey,
  resourceRowKey,
  unescapeKeyPart,
} from '../../src/storage/keys';

const VM = '/subscriptions/0B1F0000-0000-0000-0000-000000000001/resourceGroups/RG-Prod/providers/Microsoft.Compute/virtualMachines/vm-1';

describe('the Table key scheme', () => {
  it.each([
    ['/a/b', '|a|b'],
    ['A#B?C\\D', 'a%23b%3fc%5cd'.replace('%3f', '%3F').replace('%5c', '%5C')],
    ['50%|x', '50%25%7Cx'],
    ['tab\there', 'tab%09here'],
  ])('escapes %j without forbidden characters', (input, expected) => {
    const out = escapeKeyPart(input);
    expect(out).toBe(expected);
    expect(out).not.toMatch(/[/\\#?\u0000-\u001f]/);
    expect(unescapeKeyPart(out)).toBe(input.toLowerCase());
  });

  it('partitions by subscription and lower-cased type, rows by lower-cased id', () => {
    expect(resourcePartitionKey('0B1F', 'Microsoft.Compute/virtualMachines')).toBe('0b1f|microsoft.compute|virtualmachines');
    expect(resourceRowKey(VM)).toBe(resourceRowKey(VM.toLowerCase()));
  });

  it('turns an API key back into the table location, case-insensitively by id', () => {
    const key = resourceKeyFromId(VM);
    expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(resourceKeyFromId(VM.toUpperCase())).toBe(key);
    expect(locateResourceKey(key)).toEqual({
      id: VM.toLowerCase(),
      partitionKey: '0b1f0000-0000-0000-0000-000000000001|microsoft.compute|virtualmachines',
      rowKey: resourceRowKey(VM),
    });
  });

  it.each(['', 'short', 'has spaces in it', 'bm9wZQ', resourceKeyFromId('/not/an/arm/id')])('rejects %j as a key', (key) => {
    expect(locateResourceKey(key)).toBeUndefined();
  });

  it('bounds a prefix range', () => {
    expect(prefixEnd('task|')).toBe('task}');
    expect('task|zzz' < prefixEnd('task|')).toBe(true);
  });
});
