import net from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { Redis } from 'ioredis';
import { freePort } from '../../src/runtime/freePort';

/**
 * Azure Managed Redis with Microsoft Entra authentication, as far as a client can tell, built
 * from a real redis-server:
 * - a fake credential issues tokens (JWT-shaped, with an `oid` claim) that expire after
 *   `lifetimeMs`; each token is added as a password of the ACL user named by the object id
 *   while it is valid and removed when it expires;
 * - a RESP-aware proxy in front of the server closes a connection when the token it last
 *   authenticated with expires, as Azure does, so a client that does not re-AUTH in time
 *   loses its connection and the commands on it.
 */
export interface EntraRedis {
  objectId: string;
  credential: TokenCredential & { issued: number };
  /** The proxy's url, with no credentials (the client adds the token). */
  url: string;
  /** Connections closed because their token expired. */
  expiredConnections(): number;
  /** Every AUTH the proxy saw: connection number and the token's serial number. */
  auths(): Array<{ connection: number; token: number }>;
  connections(): number;
  /** Drops every open connection (a failover); new ones are accepted. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startEntraRedis(redisPort: number, lifetimeMs: number): Promise<EntraRedis> {
  const objectId = '5f0e2f8a-1b2c-4d3e-8f90-0123456789ab';
  const admin = new Redis({ port: redisPort, host: '127.0.0.1', lazyConnect: true });
  await admin.connect();
  await admin.call('ACL', 'SETUSER', objectId, 'reset', 'on', '~*', '&*', '+@all');

  const expiries = new Map<string, { serial: number; expiresAt: number }>();
  const timers = new Set<NodeJS.Timeout>();
  let issued = 0;
  const credential = {
    get issued() {
      return issued;
    },
    async getToken(): Promise<AccessToken> {
      const serial = ++issued;
      const now = Date.now();
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const claims = Buffer.from(JSON.stringify({ oid: objectId, n: serial, iat: now })).toString(
        'base64url',
      );
      const token = `${header}.${claims}.sig`;
      const expiresAt = now + lifetimeMs;
      expiries.set(token, { serial, expiresAt });
      await admin.call('ACL', 'SETUSER', objectId, `>${token}`);
      const timer = setTimeout(() => {
        timers.delete(timer);
        void admin.call('ACL', 'SETUSER', objectId, `<${token}`).catch(() => undefined);
      }, lifetimeMs);
      timers.add(timer);
      return { token, expiresOnTimestamp: expiresAt };
    },
  };

  const port = await freePort();
  const sockets = new Set<net.Socket>();
  const authLog: Array<{ connection: number; token: number }> = [];
  let connectionCount = 0;
  let expired = 0;

  const server = net.createServer((client) => {
    const connection = ++connectionCount;
    const upstream = net.connect({ port: redisPort, host: '127.0.0.1' });
    sockets.add(client);
    sockets.add(upstream);
    let expiryTimer: NodeJS.Timeout | undefined;
    const close = (): void => {
      if (expiryTimer) clearTimeout(expiryTimer);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    upstream.on('data', (chunk) => client.write(chunk));
    let pending = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const parsed = readCommand(pending);
        if (!parsed) break;
        pending = pending.subarray(parsed.length);
        const [name, ...args] = parsed.args;
        const token =
          name?.toUpperCase() === 'AUTH'
            ? args.at(-1)
            : name?.toUpperCase() === 'HELLO' && args.some((a) => a.toUpperCase() === 'AUTH')
              ? args[args.findIndex((a) => a.toUpperCase() === 'AUTH') + 2]
              : undefined;
        if (token === undefined) continue;
        const known = expiries.get(token);
        authLog.push({ connection, token: known?.serial ?? -1 });
        if (!known) continue;
        if (expiryTimer) clearTimeout(expiryTimer);
        expiryTimer = setTimeout(
          () => {
            expired++;
            close();
          },
          Math.max(0, known.expiresAt - Date.now()),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

  return {
    objectId,
    credential,
    url: `redis://127.0.0.1:${port}`,
    expiredConnections: () => expired,
    auths: () => [...authLog],
    connections: () => connectionCount,
    dropConnections() {
      for (const s of sockets) s.destroy();
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      admin.disconnect();
    },
  };
}

/** One RESP command (an array of bulk strings) from the start of the buffer, or undefined if incomplete. */
function readCommand(buffer: Buffer): { args: string[]; length: number } | undefined {
  if (buffer.length === 0) return undefined;
  if (buffer[0] !== 0x2a /* '*' */) {
    // An inline command: one line.
    const end = buffer.indexOf('\r\n');
    if (end < 0) return undefined;
    return { args: buffer.subarray(0, end).toString().split(' '), length: end + 2 };
  }
  let offset = 0;
  const line = (): string | undefined => {
    const end = buffer.indexOf('\r\n', offset);
    if (end < 0) return undefined;
    const text = buffer.subarray(offset, end).toString();
    offset = end + 2;
    return text;
  };
  const header = line();
  if (header === undefined) return undefined;
  const count = Number(header.slice(1));
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const size = line();
    if (size === undefined) return undefined;
    const n = Number(size.slice(1));
    if (buffer.length < offset + n + 2) return undefined;
    args.push(buffer.subarray(offset, offset + n).toString());
    offset += n + 2;
  }
  return { args, length: offset };
}
