import { describe, expect, it } from 'vitest';
import { contentHash, VOLATILE_PROPERTY_KEYS } from '../../src/changes/contentHash';
import { diffContent } from '../../src/changes/diffContent';

const base = {
  name: 'vm1',
  location: 'eastus',
  tags: { owner: 'team-a', env: 'prod' },
  properties: { vmSize: 'Standard_D2s_v5', dataDisks: [{ lun: 0, sizeGB: 64 }], etag: 'W/"1"' },
};

describe('content hash', () => {
  it('ignores key order and volatile fields, at any depth', () => {
    const reordered = {
      properties: {
        etag: 'W/"2"',
        dataDisks: [{ sizeGB: 64, lun: 0, changedTime: 'now' }],
        vmSize: 'Standard_D2s_v5',
      },
      tags: { env: 'prod', owner: 'team-a' },
      location: 'eastus',
      name: 'vm1',
    };
    expect(contentHash(reordered)).toBe(contentHash(base));
    expect(VOLATILE_PROPERTY_KEYS).toContain('etag');
  });

  it.each([
    ['a tag', { ...base, tags: { ...base.tags, owner: 'team-b' } }],
    ['a property', { ...base, properties: { ...base.properties, vmSize: 'Standard_D4s_v5' } }],
    [
      'an array element',
      { ...base, properties: { ...base.properties, dataDisks: [{ lun: 0, sizeGB: 128 }] } },
    ],
    ['the location', { ...base, location: 'westeurope' }],
  ])('changes with %s', (_what, changed) => expect(contentHash(changed)).not.toBe(contentHash(base)));
});

describe('diffContent', () => {
  it('names each changed path with old and new values', () => {
    const after = {
      ...base,
      tags: { env: 'prod', owner: 'team-b', cost: 'x' },
      properties: {
        ...base.properties,
        vmSize: 'Standard_D4s_v5',
        dataDisks: [{ lun: 0, sizeGB: 128 }],
        etag: 'W/"9"',
      },
    };
    expect(diffContent(base, after)).toEqual([
      { path: 'tags.cost', old: undefined, new: 'x' },
      { path: 'tags.owner', old: 'team-a', new: 'team-b' },
      { path: 'properties.dataDisks[0].sizeGB', old: 64, new: 128 },
      { path: 'properties.vmSize', old: 'Standard_D2s_v5', new: 'Standard_D4s_v5' },
    ]);
  });

  it('reports a list that grew or shrank as one path', () => {
    const after = { ...base, properties: { ...base.properties, dataDisks: [] } };
    expect(diffContent(base, after)).toEqual([
      { path: 'properties.dataDisks', old: [{ lun: 0, sizeGB: 64 }], new: [] },
    ]);
  });

  it.each([
    'tags.dbPassword',
    'properties.primaryKey',
    'properties.sasToken',
    'properties.connectionString',
    'tags.pat',
  ])('keeps the path but never the values of %s', (path) => {
    const [top, key] = path.split('.') as ['tags' | 'properties', string];
    const after = { ...base, [top]: { ...base[top], [key]: 'new-secret-value' } };
    const before = { ...base, [top]: { ...base[top], [key]: 'old-secret-value' } };
    const diff = diffContent(before, after);
    expect(diff).toEqual([{ path, redacted: true }]);
    expect(JSON.stringify(diff)).not.toContain('secret-value');
  });

  it('finds nothing between equal versions', () =>
    expect(diffContent(base, structuredClone(base))).toEqual([]));
});
