import { describe, expect, it } from 'vitest';
import { graphRowsQuery } from '../../src/discovery/graphRowsQuery';
import { parseRowsQuery } from '../../src/emulator/providers/resourceGraphRows';

const SUB = '3908dc5e-c827-4e34-a819-a15f0e580161';

describe('the Resource Graph rows query: what TopDeck sends, what the emulator answers', () => {
  it('the emulator reads back the filters of the query TopDeck builds', () => {
    expect(parseRowsQuery(graphRowsQuery(['Microsoft.Compute/virtualMachines'], [SUB]))).toEqual({
      types: ['microsoft.compute/virtualmachines'],
      subscriptionIds: [SUB],
    });
    expect(
      parseRowsQuery(graphRowsQuery(['Microsoft.Web/sites', 'Microsoft.Sql/servers'], [SUB, SUB], 'RG-Prod')),
    ).toEqual({
      types: ['microsoft.web/sites', 'microsoft.sql/servers'],
      subscriptionIds: [SUB, SUB],
      resourceGroup: 'rg-prod',
    });
  });

  it.each([
    ['another projection', (q: string) => q.replace('zones, ', '')],
    ['no stable order', (q: string) => q.replace(' | order by id asc', '')],
    ['descending order', (q: string) => q.replace('order by id asc', 'order by id desc')],
    [
      'an extra operator',
      (q: string) => q.replace(' | order by id asc', ' | extend x = 1 | order by id asc'),
    ],
    ['another table', (q: string) => q.replace(/^Resources/, 'ResourceContainers')],
    ['a type filter other than in~', (q: string) => q.replace('type in~', 'type !in~')],
  ])('answers no query with %s (the route answers 400)', (_name, change) => {
    const query = change(graphRowsQuery(['Microsoft.Compute/virtualMachines'], [SUB]));
    expect(parseRowsQuery(query)).toBeUndefined();
  });

  it('refuses to build a filter from a value that could end the string literal', () => {
    expect(() => graphRowsQuery(['Microsoft.Compute/virtualMachines'], [SUB], "rg' or 1==1")).toThrow(
      /not a valid Azure name/,
    );
  });
});
