import { describe, expect, it } from 'vitest';
import type { ArmClients } from '../../src/discovery/armClients';
import { DEDICATED } from '../../src/discovery/registry';
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

const plan = (tasks: Awaited<ReturnType<typeof planTasks>>) =>
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
    expect(await planTasks(f.deps, [SUB_A], undefined, undefined)).toEqual([]);
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

  it('without Resource Graph, every dedicated type is listed', async () => {
    const f = fakes(new Error('403 Forbidden'));
    const tasks = await planTasks(f.deps, [SUB_A], undefined, undefined);
    expect(tasks.map((t) => t.resourceType).sort()).toEqual(DEDICATED.map((d) => d.type).sort());
  });
});
