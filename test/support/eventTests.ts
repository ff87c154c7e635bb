/** Helpers the resource-event tests share. */

/** Polls `probe` every 100 ms until it answers something truthy; fails naming `what` after `ms`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Columns that say when and by what a row was written, not what it holds. */
const STAMPS = new Set([
  'changeKind',
  'discoveredAt',
  'firstSeenAt',
  'lastSeenAt',
  'refreshedAt',
  'statusSeenAt',
  'scanId',
  'changedBy',
  'etag',
  'timestamp',
  'odata.etag',
]);

/** A stored row without its stamps: what a scan and an event's refresh must agree on. */
export function rowContent(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !STAMPS.has(k)));
}

/** An Event Grid ResourceWriteSuccess event for `subject`, with a fresh id starting `idPrefix`. */
export function writeEvent(idPrefix: string, subject: string) {
  return {
    id: `${idPrefix}-${Math.random().toString(36).slice(2)}`,
    topic: '/subscriptions/x',
    subject,
    eventType: 'Microsoft.Resources.ResourceWriteSuccess',
    eventTime: new Date().toISOString(),
    dataVersion: '2',
    metadataVersion: '1',
    data: { claims: { name: 'Tester' }, operationName: 'Microsoft.Test/write' },
  };
}
