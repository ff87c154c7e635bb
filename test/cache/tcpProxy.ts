import net from 'node:net';
import { freePort } from '../../src/runtime/freePort';

/**
 * A loopback TCP proxy in front of a real server, to break the network between a
 * client and a server that stays up (and keeps its data):
 * - `refuse()`: drops every connection and refuses new ones (a network outage);
 * - `blackhole()`: keeps connections open but forwards nothing, new ones included
 *   (a silent failover or a dead NAT entry: the worst case for a client);
 * - `restore()`: forwards again;
 * - `limitBandwidth(bytesPerMs)`: forwards each direction at most that fast (a network slower
 *   than loopback, as to a cache in another machine); undefined lifts the limit.
 */
export interface TcpProxy {
  port: number;
  url(scheme?: string, auth?: string): string;
  refuse(): Promise<void>;
  blackhole(): void;
  restore(): Promise<void>;
  limitBandwidth(bytesPerMs: number | undefined): void;
  close(): Promise<void>;
}

/** How often a bandwidth-limited direction sends its next share, in milliseconds. */
const TICK_MS = 5;

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  let mode: 'forward' | 'blackhole' = 'forward';
  let bytesPerMs: number | undefined;
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;

  const onConnection = (client: net.Socket): void => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (mode === 'blackhole') {
      client.pause();
      return;
    }
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1' });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    forward(client, upstream);
    forward(upstream, client);
  };

  /** Copies from → to, at most bytesPerMs when limited (queued chunks go out a tick's share at a time). */
  const forward = (from: net.Socket, to: net.Socket): void => {
    const queue: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = (): void => {
      timer = undefined;
      if (mode !== 'forward' || to.destroyed) return;
      let budget = Math.max(1, Math.round((bytesPerMs ?? Infinity) * TICK_MS));
      while (queue.length > 0 && budget > 0) {
        const chunk = queue[0] as Buffer;
        if (chunk.length <= budget) {
          queue.shift();
          to.write(chunk);
          budget -= chunk.length;
        } else {
          to.write(chunk.subarray(0, budget));
          queue[0] = chunk.subarray(budget);
          budget = 0;
        }
      }
      if (queue.length > 0) timer = setTimeout(pump, TICK_MS);
    };
    from.on('data', (chunk: Buffer) => {
      if (mode !== 'forward') return;
      if (bytesPerMs === undefined && queue.length === 0) {
        to.write(chunk);
        return;
      }
      queue.push(chunk);
      timer ??= setTimeout(pump, TICK_MS);
    });
    from.on('close', () => clearTimeout(timer));
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const s = net.createServer(onConnection);
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        server = s;
        resolve();
      });
    });

  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      const s = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      if (!s) return resolve();
      s.close(() => resolve());
    });

  await listen();
  return {
    port,
    url: (scheme = 'redis', auth = '') => `${scheme}://${auth}127.0.0.1:${port}`,
    refuse: stopListening,
    blackhole: () => {
      mode = 'blackhole';
    },
    restore: async () => {
      mode = 'forward';
      if (!server) await listen();
      else {
        // Connections held during a blackhole carry half-sent commands: drop them.
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      }
    },
    limitBandwidth: (limit) => {
      bytesPerMs = limit;
    },
    close: stopListening,
  };
}
