import { describe, expect, it } from 'vitest';
import { ScanProgress } from '../../src/scan/ScanProgress';
import type { PageMarkerRow, TaskRow } from '../../src/scan/ScanRecords';
import type { ScanStore } from '../../src/scan/ScanStore';

function marker(page: number, state: 'claimed' | 'done', items = 10): PageMarkerRow {
  return { taskId: 't', page, state, messageId: `m${page}`, items, added: items, modified: 0, updatedAt: '' };
}

function task(status: TaskRow['status'], fields: Partial<TaskRow> = {}): TaskRow {
  return {
    taskId: 't',
    subscriptionId: 's',
    resourceType: 'Microsoft.Compute/virtualMachines',
    status,
    updatedAt: '',
    ...fields,
  };
}

/** A store holding one task's markers, recording where each read started. */
function fakeStore(markers: PageMarkerRow[]) {
  const from: number[] = [];
  const store = {
    listPageMarkersFrom: async (_scan: string, _task: string, fromPage: number) => {
      from.push(fromPage);
      return markers.filter((m) => m.page >= fromPage);
    },
  } as unknown as ScanStore;
  return { store, from };
}

describe('ScanProgress', () => {
  it.each([
    ['no page yet', [], 0, 0, 1],
    ['pages 1-2 done', [marker(1, 'done'), marker(2, 'done')], 2, 20, 3],
    ['page 2 still running, 3 done', [marker(1, 'done'), marker(2, 'claimed'), marker(3, 'done')], 2, 20, 2],
  ] as const)(
    '%s: counts %s pages / %s resources, next read from page %s',
    async (_, markers, pages, resources, next) => {
      const { store, from } = fakeStore([...markers]);
      const progress = new ScanProgress(store);
      const [first] = await progress.read('scan', [task('running')]);
      expect(first).toMatchObject({ pages, resources, status: 'running' });
      await progress.read('scan', [task('running')]);
      expect(from).toEqual([1, next]);
    },
  );

  it('reads a finished task from its row and a pending one not at all', async () => {
    const { store, from } = fakeStore([marker(1, 'done')]);
    const progress = new ScanProgress(store);
    const views = await progress.read('scan', [
      task('completed', { pages: 3, items: 25, added: 5, modified: 1 }),
      { ...task('pending'), taskId: 'u' },
    ]);
    expect(views).toEqual([
      expect.objectContaining({ status: 'completed', pages: 3, resources: 25, added: 5, modified: 1 }),
      expect.objectContaining({ taskId: 'u', status: 'pending', pages: 0, resources: 0 }),
    ]);
    expect(from).toEqual([]);
  });
});
