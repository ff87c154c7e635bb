import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, isPortOpen } from '../../src/runtime/freePort';

/**
 * A real redis-server that a test starts on a free loopback port and may stop and
 * restart (to prove the code degrades and recovers). Fails loudly when redis-server
 * is not installed: integration tests are never skipped silently.
 */
export interface RedisServer {
  port: number;
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const which = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (which.error || which.status !== 0) {
    throw new Error(
      'redis-server is not installed or not on PATH; install it (apt-get install redis-server) to run the Redis integration tests',
    );
  }
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-redis-'));
  const pidFile = path.join(dir, 'redis.pid');

  const start = async (): Promise<void> => {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'yes',
        '--pidfile',
        pidFile,
        '--dir',
        dir,
      ],
      { stdio: 'ignore' },
    );
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`redis-server exited with ${code}`)),
      );
      child.once('error', reject);
    });
    for (let i = 0; i < 100; i++) {
      if (await isPortOpen(port)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`redis-server did not start listening on 127.0.0.1:${port}`);
  };

  const stop = async (): Promise<void> => {
    let pid: number | undefined;
    try {
      pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    } catch {
      return;
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    for (let i = 0; i < 100; i++) {
      if (!(await isPortOpen(port))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    fs.rmSync(pidFile, { force: true });
  };

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, stop, start };
}
