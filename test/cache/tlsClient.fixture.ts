/**
 * Run in a child process by Cache.test.ts with NODE_EXTRA_CA_CERTS pointing at the
 * test CA (Node reads that variable only at start): uses a rediss:// cache and
 * prints what it saw as one JSON line.
 */
import { createCache } from '../../src/cache/Cache';

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error('usage: tlsClient.fixture.ts <rediss url>');
  const cache = createCache({ url, prefix: 'tls:', connectTimeoutMs: 2_000 });
  await cache.set('k', { over: 'tls' });
  const read = await cache.get('k');
  const ping = await cache.ping();
  const stats = await cache.stats();
  await cache.close();
  process.stdout.write(JSON.stringify({ read, ping, errors: stats.errors }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(String(error) + '\n');
  process.exit(1);
});
