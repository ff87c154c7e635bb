import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import { CheckpointSaver, type SavableDb } from '../../src/runtime/CheckpointSaver';
import { recoverGroup, type CommitStep } from '../../src/runtime/groupCommit';

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-checkpoint-'));
  tmpDirs.push(dir);
  return dir;
}

/** A database whose snapshot is `<name>@<version>`, saved to a file in `dir`. */
function fakeDb(dir: string, name: string) {
  const db = {
    filename: path.join(dir, `${name}.json`),
    version: 1,
    dirty: true,
    autosaveDisabled: false,
    serialize: () => `${name}@${db.version}`,
    autosaveDirty: () => db.dirty,
    autosaveClearFlags: () => {
      db.dirty = false;
    },
    autosaveDisable: () => {
      db.autosaveDisabled = true;
    },
  };
  return db satisfies SavableDb;
}

/** The RowKeys of a table, as an Azurite started on the same folder reads them. */
async function rowKeys(connectionString: string, name: string): Promise<string[]> {
  const table = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
  const rows: string[] = [];
  for await (const e of table.listEntities()) rows.push(e.rowKey as string);
  return rows;
}

function onDisk(db: { filename: string }): string | undefined {
  return fs.existsSync(db.filename) ? fs.readFileSync(db.filename, 'utf8') : undefined;
}

class Killed extends Error {}

describe('CheckpointSaver', () => {
  it('saves every changed database as one group, leaving clean ones alone and no journal behind', async () => {
    const dir = tmpDir();
    const [tables, extents, queues] = ['tables', 'extents', 'queues'].map((n) => fakeDb(dir, n));
    const saver = new CheckpointSaver({ dbs: [tables!, extents!, queues!], journal: path.join(dir, 'j') });
    expect(tables!.autosaveDisabled).toBe(true);
    extents!.dirty = false;
    await saver.flush();
    expect([tables, extents, queues].map((db) => onDisk(db!))).toEqual(['tables@1', undefined, 'queues@1']);
    expect(fs.readdirSync(dir).sort()).toEqual(['queues.json', 'tables.json']);
  });

  it('after a kill at any line of a save, recovery gives the previous checkpoint or the new one, never a mix', async () => {
    const stops: Array<{ step: CommitStep; index?: number; expected: number }> = [
      { step: 'written', expected: 1 },
      { step: 'committed', expected: 2 },
      { step: 'renamed', index: 0, expected: 2 },
      { step: 'renamed', index: 1, expected: 2 },
    ];
    for (const stop of stops) {
      const dir = tmpDir();
      const journal = path.join(dir, 'journal');
      const dbs = ['tables', 'extents', 'queues'].map((n) => fakeDb(dir, n));
      let armed = false;
      const saver = new CheckpointSaver({
        dbs,
        journal,
        afterStep: (step, index) => {
          if (armed && step === stop.step && index === stop.index) throw new Killed(step);
        },
      });
      await saver.flush();
      for (const db of dbs) Object.assign(db, { version: 2, dirty: true });
      armed = true;
      await expect(saver.flush()).rejects.toBeInstanceOf(Killed);
      const files = dbs.map((db) => db.filename);
      expect(recoverGroup(journal, files)).toBe(stop.expected === 2 ? 'rolled forward' : 'discarded');
      expect(dbs.map(onDisk), `killed after ${stop.step} ${stop.index ?? ''}`).toEqual(
        ['tables', 'extents', 'queues'].map((n) => `${n}@${stop.expected}`),
      );
      expect(fs.readdirSync(dir).sort()).toEqual(['extents.json', 'queues.json', 'tables.json']);
      expect(recoverGroup(journal, files)).toBe('clean');
    }
  });

  it('saves again a database whose save failed, even with nothing changed since', async () => {
    const dir = tmpDir();
    const db = fakeDb(dir, 'tables');
    let fail = true;
    const saver = new CheckpointSaver({
      dbs: [db],
      journal: path.join(dir, 'j'),
      afterStep: () => {
        if (fail) throw new Error('disk full');
      },
    });
    await expect(saver.flush()).rejects.toThrow('disk full');
    expect(db.dirty).toBe(false);
    fail = false;
    await saver.flush();
    expect(onDisk(db)).toBe('tables@1');
  });

  it('shares one save among concurrent callers, and gives a caller during a save the next one', async () => {
    const dir = tmpDir();
    const db = fakeDb(dir, 'db');
    const later: Array<Promise<void>> = [];
    const saver = new CheckpointSaver({
      dbs: [db],
      journal: path.join(dir, 'j'),
      afterStep: (step) => {
        // Joined while the first save runs: its writes (version 2) are not in that snapshot.
        if (step !== 'written' || later.length) return;
        Object.assign(db, { version: 2, dirty: true });
        for (let i = 0; i < 10; i++) later.push(saver.flush());
      },
    });
    await saver.flush();
    expect(onDisk(db)).toBe('db@1');
    expect(later).toHaveLength(10);
    await Promise.all(later);
    expect(onDisk(db)).toBe('db@2');
    expect(saver.stats.saves).toBe(2);
  });

  it('spaces saves nobody waits on, and starts at once for an urgent caller', async () => {
    const dir = tmpDir();
    const db = fakeDb(dir, 'db');
    const saver = new CheckpointSaver({ dbs: [db], journal: path.join(dir, 'j'), minSpacingMs: 60_000 });
    await saver.flush();
    db.dirty = true;
    let relaxedDone = false;
    const relaxed = saver.flush().then(() => (relaxedDone = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(relaxedDone).toBe(false);
    await saver.flush(true);
    await relaxed;
    expect(saver.stats.saves).toBe(2);
  });
});

describe('Azurite on disk with checkpoints', () => {
  const running: RunningAzurite[] = [];
  afterAll(async () => {
    for (const a of running) await a.close();
  });

  it('keeps what a flush saved when the process that wrote it is gone, and only that', async () => {
    const location = tmpDir();
    const first = await startAzurite({ location, queuePort: 0, tablePort: 0 });
    running.push(first);
    const table = TableClient.fromConnectionString(first.connectionString, 'kept', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    const queue = new QueueClient(first.connectionString, 'kept');
    await queue.create();
    await table.createEntity({ partitionKey: 'p', rowKey: 'saved' });
    await queue.sendMessage('saved');
    await first.checkpoint?.flush(true);
    await table.createEntity({ partitionKey: 'p', rowKey: 'not-saved' });
    await queue.sendMessage('not-saved');

    // A second Azurite on the same folder sees the disk as a restart after a kill would.
    const second = await startAzurite({ location, queuePort: 0, tablePort: 0 });
    running.push(second);
    expect(await rowKeys(second.connectionString, 'kept')).toEqual(['saved']);
    const queue2 = new QueueClient(second.connectionString, 'kept');
    const peeked = await queue2.peekMessages({ numberOfMessages: 32 });
    expect(peeked.peekedMessageItems.map((m) => m.messageText)).toEqual(['saved']);
  });

  it('saves everything on a graceful close', async () => {
    const location = tmpDir();
    const first = await startAzurite({ location, queuePort: 0, tablePort: 0 });
    const table = TableClient.fromConnectionString(first.connectionString, 'closed', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'written-just-before-close' });
    await first.close();

    const second = await startAzurite({ location, queuePort: 0, tablePort: 0 });
    running.push(second);
    expect(await rowKeys(second.connectionString, 'closed')).toEqual(['written-just-before-close']);
  });
});
