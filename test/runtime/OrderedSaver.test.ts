import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { afterAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import { OrderedSaver, type SavableDb } from '../../src/runtime/OrderedSaver';

/** A database that records its saves; each save takes `ms` and snapshots `version`. */
function fakeDb(name: string, log: string[], ms = 5) {
  const db = {
    version: 0,
    saved: -1,
    dirty: true,
    autosaveDisabled: false,
    autosaveDirty: () => db.dirty,
    autosaveDisable: () => {
      db.autosaveDisabled = true;
    },
    saveDatabase: (cb: (err?: unknown) => void) => {
      const snapshot = db.version;
      db.dirty = false;
      log.push(`start ${name}`);
      setTimeout(() => {
        db.saved = snapshot;
        log.push(`end ${name}`);
        cb();
      }, ms);
    },
  };
  return db satisfies SavableDb;
}

describe('OrderedSaver', () => {
  it('saves the databases one after the other, in order, skipping clean ones', async () => {
    const log: string[] = [];
    const [tables, extents, queues] = ['tables', 'extents', 'queues'].map((n) => fakeDb(n, log));
    const saver = new OrderedSaver({ dbs: [tables!, extents!, queues!] });
    expect(tables!.autosaveDisabled).toBe(true);
    extents!.dirty = false;
    await saver.flush();
    expect(log).toEqual(['start tables', 'end tables', 'start queues', 'end queues']);
  });

  it('shares one save among concurrent callers, and gives a caller during a save the next one', async () => {
    const log: string[] = [];
    const db = fakeDb('db', log, 30);
    const saver = new OrderedSaver({ dbs: [db] });
    db.version = 1;
    const first = saver.flush();
    while (!log.includes('start db')) await new Promise((r) => setTimeout(r, 1));
    // Joined while the first save runs: its writes (version 2) may be missing from that snapshot.
    db.version = 2;
    db.dirty = true;
    const later = Array.from({ length: 10 }, () => saver.flush());
    await first;
    expect(db.saved).toBe(1);
    await Promise.all(later);
    expect(db.saved).toBe(2);
    expect(saver.stats.saves).toBe(2);
  });

  it('spaces saves nobody waits on, and starts at once for an urgent caller', async () => {
    const log: string[] = [];
    const db = fakeDb('db', log, 1);
    const saver = new OrderedSaver({ dbs: [db], minSpacingMs: 60_000 });
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
  const dirs: string[] = [];
  const running: RunningAzurite[] = [];
  afterAll(async () => {
    for (const a of running) await a.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('keeps what a flush saved when the process that wrote it is gone, and only that', async () => {
    const location = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-azurite-'));
    dirs.push(location);
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
    const table2 = TableClient.fromConnectionString(second.connectionString, 'kept', {
      allowInsecureConnection: true,
    });
    const rows: string[] = [];
    for await (const e of table2.listEntities()) rows.push(e.rowKey as string);
    expect(rows).toEqual(['saved']);
    const queue2 = new QueueClient(second.connectionString, 'kept');
    const peeked = await queue2.peekMessages({ numberOfMessages: 32 });
    expect(peeked.peekedMessageItems.map((m) => m.messageText)).toEqual(['saved']);
  });

  it('saves everything on a graceful close', async () => {
    const location = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-azurite-'));
    dirs.push(location);
    const first = await startAzurite({ location, queuePort: 0, tablePort: 0 });
    const table = TableClient.fromConnectionString(first.connectionString, 'closed', {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'written-just-before-close' });
    await first.close();

    const second = await startAzurite({ location, queuePort: 0, tablePort: 0 });
    running.push(second);
    const table2 = TableClient.fromConnectionString(second.connectionString, 'closed', {
      allowInsecureConnection: true,
    });
    const rows: string[] = [];
    for await (const e of table2.listEntities()) rows.push(e.rowKey as string);
    expect(rows).toEqual(['written-just-before-close']);
  });
});
