import { describe, expect, it } from 'vitest';
import type { ArmClients } from '../../src/discovery/armClients';
import { planTasks } from '../../src/scan/planTasks';
import type { ScanRow, TaskRow } from '../../src/scan/ScanRecords';
import type { ScanStore } from '../../src/scan/ScanStore';
import { createLogger } from '../../src/telemetry/logger';

const SUB_A = 'aaaaaaaa-0000-0000-0000-000000000001';
const SUB_B = 'bbbbbbbb-0000-0000-0000-000000000002';

function fakes(
  counts: Map<string, Map<string, number>> | Error,
  previous: { scan?: Partial<ScanRow>; tasks?: Array<Partial<TaskRow>> } = {},
) {
  let graphCalls = 0;
  const arm = {
    resourceTypeCounts: async () => {
      graphCalls++;
      if (counts instanceof Error) throw counts;
      return counts;
    },
  } as unknown as ArmClients;
  const store = {
    listScans: async () => (previous.scan ? [previous.scan] : []),
    listTasks: async () => previous.tasks ?? [],
  } as unknown as ScanStore;
  return { deps: { arm, store, logger: createLogger('test') }, graphCalls: () => graphCalls };
}

const plan = ({ tasks }: Awaited<ReturnType<typeof planTasks>>) =>
  tasks.map((t) => `${t.subscriptionId.slice(0, 1)} ${t.resourceType} ${t.discoverer.slug}`).sort();

describe('planTasks', () => {
  it('lists only the types one Resource Graph query reports, dedicated or generic, each once', async () => {
    const f = fakes(
      new Map([
        [
          SUB_A,
          new Map([
            ['microsoft.compute/virtualmachines', 3],
            ['microsoft.cache/redis', 1],
            ['microsoft.insights/components', 2],
          ]),
        ],
        [SUB_B, new Map()],
      ]),
    );
    const tasks = await planTasks(f.deps, [SUB_A, SUB_B], undefined, undefined);
    expect(plan(tasks)).toEqual([
      'a Microsoft.Cache/redis redis',
      'a Microsoft.Compute/virtualMachines virtualmachines',
      'a microsoft.insights/components resources',
    ]);
    expect(f.graphCalls()).toBe(1);
  });

  it('an empty subscription costs no listing', async () => {
    const f = fakes(new Map([[SUB_A, new Map()]]));
    expect((await planTasks(f.deps, [SUB_A], undefined, undefined)).tasks).toEqual([]);
  });

  it('also lists a type the last finished scan found, so its vanished resources are removed', async () => {
    const f = fakes(new Map([[SUB_A, new Map()]]), {
      scan: { scanId: 's1', status: 'completed' },
      tasks: [
        { subscriptionId: SUB_A, resourceType: 'Microsoft.Web/sites', items: 4 },
        { subscriptionId: SUB_A, resourceType: 'Microsoft.Sql/servers', items: 0 },
      ],
    });
    expect(plan(await planTasks(f.deps, [SUB_A], undefined, undefined))).toEqual([
      'a Microsoft.Web/sites sites',
    ]);
  });

  it('requested types are planned where they exist, in their canonical spelling', async () => {
    const f = fakes(
      new Map([
        [SUB_A, new Map([['microsoft.cache/redis', 1]])],
        [SUB_B, new Map()],
      ]),
    );
    const tasks = await planTasks(f.deps, [SUB_A, SUB_B], undefined, [
      'Microsoft.Cache/Redis',
      'Microsoft.Foo/bars',
    ]);
    expect(plan(tasks)).toEqual(['a Microsoft.Cache/redis redis']);
  });

  it('records Resource Graph as the source when it answers', async () => {
    const f = fakes(new Map([[SUB_A, new Map([['microsoft.web/sites', 1]])]]));
    const { inventory } = await planTasks(f.deps, [SUB_A], undefined, undefined);
    expect(inventory).toEqual({
      source: 'resourcegraph',
      reason: 'Resource Graph answered (TOPDECK_INVENTORY_SOURCE=auto)',
    });
  });

  it('without Resource Graph: one inventory task per subscription, plus the dedicated types found last time', async () => {
    const error = Object.assign(new Error('Forbidden'), { statusCode: 403, code: 'AuthorizationFailed' });
    const f = fakes(error, {
      scan: { scanId: 's1', status: 'completed' },
      tasks: [
        { subscriptionId: SUB_A, resourceType: 'Microsoft.Web/sites', items: 4 },
        { subscriptionId: SUB_A, resourceType: '*', items: 9 },
      ],
    });
    const result = await planTasks(f.deps, [SUB_A, SUB_B], undefined, undefined);
    expect(plan(result)).toEqual(['a * resources', 'a Microsoft.Web/sites sites', 'b * resources']);
    expect(result.inventory.source).toBe('arm');
    expect(result.inventory.reason).toMatch(
      /^Resource Graph did not answer \(403 AuthorizationFailed: .*Forbidden/,
    );
  });

  it('after a Resource Manager scan, Graph lists the other types by the inventory task, so their removals are not lost', async () => {
    const f = fakes(
      new Map([
        [
          SUB_A,
          new Map([
            ['microsoft.web/sites', 2],
            ['microsoft.insights/components', 1],
          ]),
        ],
      ]),
      {
        scan: { scanId: 's1', status: 'completed' },
        tasks: [{ subscriptionId: SUB_A, resourceType: '*', items: 9 }],
      },
    );
    expect(plan(await planTasks(f.deps, [SUB_A], undefined, undefined))).toEqual([
      'a * resources',
      'a Microsoft.Web/sites sites',
    ]);
  });

  it('TOPDECK_INVENTORY_SOURCE=arm never asks Resource Graph', async () => {
    const f = fakes(new Map([[SUB_A, new Map([['microsoft.web/sites', 1]])]]));
    const result = await planTasks(f.deps, [SUB_A], undefined, undefined, 'arm');
    expect(f.graphCalls()).toBe(0);
    expect(plan(result)).toEqual(['a * resources']);
    expect(result.inventory).toEqual({ source: 'arm', reason: 'TOPDECK_INVENTORY_SOURCE=arm' });
  });

  it('TOPDECK_INVENTORY_SOURCE=resourcegraph refuses to fall back, naming the setting', async () => {
    const f = fakes(Object.assign(new Error('Not Found'), { statusCode: 404, code: 'NotFound' }));
    await expect(planTasks(f.deps, [SUB_A], undefined, undefined, 'resourcegraph')).rejects.toThrow(
      /TOPDECK_INVENTORY_SOURCE=resourcegraph but Resource Graph did not answer .*set it to auto or arm/,
    );
  });

  it('without Resource Graph, requested types are listed as asked (a generic one by its filtered list)', async () => {
    const f = fakes(new Error('400 BadRequest'));
    const result = await planTasks(f.deps, [SUB_A], undefined, [
      'Microsoft.Cache/Redis',
      'Microsoft.Foo/bars',
    ]);
    expect(plan(result)).toEqual(['a Microsoft.Cache/redis redis', 'a microsoft.foo/bars resources']);
  });
});
