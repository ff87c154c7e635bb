import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { armItem } from '../../src/discovery/armItem';
import { getArmById, idNames } from '../../src/discovery/getArmById';

const RG = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/App-RG';

describe('getArmById', () => {
  it('reads the group, the name and a child type’s parents from an id, whatever its case', () => {
    expect(idNames(`${RG}/providers/Microsoft.Compute/disks/d1`)).toEqual({
      resourceGroup: 'App-RG',
      name: 'd1',
      parents: [],
    });
    expect(idNames(`${RG.toUpperCase()}/PROVIDERS/Microsoft.Sql/servers/sql1/databases/db1`)).toEqual({
      resourceGroup: 'APP-RG',
      name: 'db1',
      parents: ['sql1'],
    });
    // not a resource in a group: no GET
    expect(idNames('/subscriptions/s/providers/Microsoft.Compute/disks/d1')).toBeUndefined();
    expect(idNames(`${RG}/providers/Microsoft.Compute/disks`)).toBeUndefined();
  });

  it('maps what the GET answers with the given map, and a 404 is an empty page', async () => {
    const id = `${RG}/providers/Microsoft.Sql/servers/sql1/databases/db1`;
    const calls: unknown[] = [];
    const map = (r: { id?: string; name?: string }) => armItem(r, 'Microsoft.Sql/servers/databases', {});
    const page = await getArmById(
      id,
      async (rg, name, parents) => {
        calls.push([rg, name, parents]);
        return { id, name };
      },
      map,
    );
    expect(calls).toEqual([['App-RG', 'db1', ['sql1']]]);
    expect(page.items.map((i) => i.id)).toEqual([id]);
    const gone = await getArmById(
      id,
      async () => {
        throw new RestError('not found', { statusCode: 404 });
      },
      map,
    );
    expect(gone).toEqual({ items: [] });
    // anything else is the caller's to retry
    await expect(
      getArmById(
        id,
        async () => {
          throw new RestError('busy', { statusCode: 503 });
        },
        map,
      ),
    ).rejects.toThrow('busy');
  });
});
