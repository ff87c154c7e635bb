import net from 'node:net';
import { freePort } from '../../src/runtime/freePort';

/**
 * A loopback TCP proxy in front of a real server, to break the network between a
 * client and a server that stays up (and keeps its data):
 * - `refuse()`: drops every connection and refuses new ones (a network outage);
 * - `blackhole()`: keeps connections open but forwards nothing, new ones included
 *   (a silent failover or a dead NAT entry: the worst case for a client);
 * - `restore()`: forwards again.
 */
export interface TcpProxy {
  port: number;
  url(scheme?: string, auth?: string): string;
  refuse(): Promise<void>;
  blackhole(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const port = await freePort();
  let mode: 'forward' | 'blackhole' = 'forward';
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
    client.on('data', (chunk) => {
      if (mode === 'forward') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (mode === 'forward') client.write(chunk);
    });
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
    close: stopListening,
  };
}
