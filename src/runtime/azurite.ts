import fs from 'node:fs';
import path from 'node:path';
import { isPortOpen } from './freePort';
import { CheckpointSaver, type SavableDb } from './CheckpointSaver';
import { recoverGroup } from './groupCommit';

/**
 * Azurite's Queue and Table services started in this process (deep imports: the package's
 * main entry wants VS Code). Standard ports 10001/10002 when free, else ports the OS picks.
 */
export interface AzuriteOptions {
  /** Folder for data; undefined keeps everything in memory. */
  location?: string;
  host?: string;
  /** Use these ports; 0 = OS picks; undefined = standard port if free, else OS picks. */
  queuePort?: number;
  tablePort?: number;
  /** On disk: checkpoints of the whole store as one (default true); false keeps Azurite's own 5-second autosave. */
  durable?: boolean;
  /**
   * Shortest time between two saves of the on-disk store that nobody waits on, in milliseconds
   * (default 1000). Each save writes the whole store: this bounds their rate under load.
   */
  minSaveSpacingMs?: number;
  /** A background save failed (the next one tries again). */
  onSaveError?: (error: Error) => void;
}

export interface RunningAzurite {
  connectionString: string;
  queuePort: number;
  tablePort: number;
  location?: string;
  /**
   * On disk only: saves the whole store as one, on demand (see CheckpointSaver). Azurite's own
   * autosave runs every 5 s per database, independently, so a kill loses up to 5 s of writes
   * and may keep a queue's state without the table writes that came before it, or the reverse.
   */
  checkpoint?: CheckpointSaver;
  /** Saves everything (on disk), then stops both services. */
  close(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
  /** LokiJS stores behind the servers (Azurite internals, stable across 3.x). */
  metadataStore?: { db?: SavableDb };
  extentMetadataStore?: { db?: SavableDb };
}

/* eslint-disable @typescript-eslint/no-require-imports */
function load() {
  const QueueServer = require('azurite/dist/src/queue/QueueServer').default;
  const QueueConfiguration = require('azurite/dist/src/queue/QueueConfiguration').default;
  const TableServer = require('azurite/dist/src/table/TableServer').default;
  const TableConfiguration = require('azurite/dist/src/table/TableConfiguration').default;
  const queueConstants = require('azurite/dist/src/queue/utils/constants');
  const common = require('azurite/dist/src/common/utils/constants');
  return { QueueServer, QueueConfiguration, TableServer, TableConfiguration, queueConstants, common };
}
/* eslint-enable @typescript-eslint/no-require-imports */

async function pickPort(requested: number | undefined, standard: number, host: string): Promise<number> {
  if (requested !== undefined) return requested;
  return (await isPortOpen(standard, host)) ? 0 : standard;
}

/**
 * Starts a server; a standard port taken between the check and the bind (another process
 * starting at the same moment) falls back to a port the OS picks, unless one was requested.
 */
async function startServer(
  create: () => AzuriteServer,
  config: { port: number },
  port: number,
  requested: number | undefined,
): Promise<AzuriteServer> {
  try {
    const server = create();
    await server.start();
    return server;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || requested !== undefined || port === 0) throw e;
    config.port = 0;
    const server = create();
    await server.start();
    return server;
  }
}

function portOf(server: AzuriteServer): number {
  return Number(new URL(server.getHttpServerAddress()).port);
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const host = options.host ?? '127.0.0.1';
  const az = load();
  const memory = options.location === undefined;
  if (options.location) fs.mkdirSync(options.location, { recursive: true });
  const at = (file: string) => (options.location ? path.join(options.location, file) : file);
  const queuePort = await pickPort(options.queuePort, 10001, host);
  const tablePort = await pickPort(options.tablePort, 10002, host);

  const dbFiles = {
    table: at('__azurite_db_table__.json'),
    queue: at('__azurite_db_queue__.json'),
    extent: at('__azurite_db_queue_extent__.json'),
  };
  const journal = at('__topdeck_checkpoint__.json');
  // A checkpoint a kill interrupted is finished or dropped before Azurite reads the files.
  if (!memory) recoverGroup(journal, Object.values(dbFiles));

  const persistence = [{ locationId: 'Default', locationPath: at('__queuestorage__'), maxConcurrency: 10 }];
  // (host, port, keepAlive, db, extentDb, persistence, accessLog, stream, debugLog, debugPath, loose, skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, inMemory)
  const queueConfig = new az.QueueConfiguration(
    host,
    queuePort,
    5,
    dbFiles.queue,
    dbFiles.extent,
    persistence,
    false,
    undefined,
    false,
    undefined,
    false,
    true,
    '',
    '',
    '',
    undefined,
    false,
    memory,
  );
  // (host, port, keepAlive, db, debugLog, accessLog, stream, debugPath, loose, skipApiVersionCheck, cert, key, pwd, oauth, disableProductStyleUrl, inMemory)
  const tableConfig = new az.TableConfiguration(
    host,
    tablePort,
    5,
    dbFiles.table,
    false,
    false,
    undefined,
    undefined,
    false,
    true,
    '',
    '',
    '',
    undefined,
    false,
    memory,
  );
  const queue = await startServer(
    () => new az.QueueServer(queueConfig),
    queueConfig,
    queuePort,
    options.queuePort,
  );
  let table: AzuriteServer;
  try {
    table = await startServer(
      () => new az.TableServer(tableConfig),
      tableConfig,
      tablePort,
      options.tablePort,
    );
  } catch (e) {
    await queue.close();
    throw e;
  }
  let checkpoint: CheckpointSaver | undefined;
  if (!memory && options.durable !== false) {
    const dbs = [table.metadataStore?.db, queue.extentMetadataStore?.db, queue.metadataStore?.db];
    if (dbs.some((db) => !db)) {
      await Promise.allSettled([queue.close(), table.close()]);
      throw new Error('this azurite version hides its LokiJS stores; pin azurite 3.35 (package.json)');
    }
    checkpoint = new CheckpointSaver({
      dbs: dbs as SavableDb[],
      journal,
      minSpacingMs: options.minSaveSpacingMs ?? 1000,
      // A save writes the whole store, so it grows with the estate: at most a fifth of the time.
      maxBusyShare: 0.2,
      idleSaveMs: 5000,
      onError: options.onSaveError,
    });
  }
  const qPort = portOf(queue);
  const tPort = portOf(table);
  const account = az.common.EMULATOR_ACCOUNT_NAME as string;
  const key = (az.common.EMULATOR_ACCOUNT_KEY as Buffer).toString('base64');
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${account};AccountKey=${key};` +
    `QueueEndpoint=http://${host}:${qPort}/${account};TableEndpoint=http://${host}:${tPort}/${account};`;
  return {
    connectionString,
    queuePort: qPort,
    tablePort: tPort,
    location: options.location,
    ...(checkpoint ? { checkpoint } : {}),
    close: async () => {
      await checkpoint?.close();
      await Promise.allSettled([queue.close(), table.close()]);
    },
  };
}
