import type Redis from 'ioredis';

/** How long an event id is remembered as refreshed: longer than Event Grid redelivers (24 h). */
const DONE_MS = 24 * 60 * 60 * 1000;
/** A claim outlives no crash for long: a refresh takes well under a second. */
const CLAIM_MS = 60_000;
const PREFIX = 'topdeck:events:';

export type Claim = 'claimed' | 'done' | 'elsewhere' | 'unshared';

/**
 * Duplicate and burst coordination of the `resource-events` function across every instance,
 * through the shared Redis (the coordination client of src/cache/coordinationRedis.ts):
 * - an event id is claimed with `SET NX` and a TTL, marked done once refreshed (a redelivery to
 *   any instance is then a duplicate), released when its refresh failed (the retry may claim it);
 * - a resource's collapse window is a short `SET NX` key: an instance that finds another's window
 *   open leaves the read to it (that read starts after the window closes, so it sees this change).
 * Without Redis, or while it fails, every call answers `unshared` / false, and the refresher
 * decides in its own process, as it did before.
 */
export class SharedEventIds {
  constructor(
    private readonly redis: Redis | undefined,
    private readonly windowMs: number,
  ) {}

  private async attempt<T>(fallback: T, run: (redis: Redis) => Promise<T>): Promise<T> {
    if (!this.redis || this.redis.status !== 'ready') return fallback;
    try {
      return await run(this.redis);
    } catch {
      return fallback;
    }
  }

  /** Claims an event id for this instance's refresh. */
  claim(eventId: string): Promise<Claim> {
    return this.attempt<Claim>('unshared', async (r) => {
      const key = `${PREFIX}id:${eventId}`;
      if ((await r.set(key, 'pending', 'PX', CLAIM_MS, 'NX')) === 'OK') return 'claimed';
      return (await r.get(key)) === 'done' ? 'done' : 'elsewhere';
    });
  }

  /** The events' refresh ended (an outcome was reached): their ids are duplicates from now on. */
  async done(eventIds: readonly string[]): Promise<void> {
    await this.attempt(undefined, async (r) => {
      const batch = r.multi();
      for (const id of eventIds) batch.set(`${PREFIX}id:${id}`, 'done', 'PX', DONE_MS);
      await batch.exec();
    });
  }

  /** The refresh failed: the ids may be claimed again by the redelivery. */
  async release(eventIds: readonly string[]): Promise<void> {
    await this.attempt(undefined, async (r) => {
      if (eventIds.length) await r.del(...eventIds.map((id) => `${PREFIX}id:${id}`));
    });
  }

  /**
   * Opens the resource's collapse window for this instance (true); when another instance's is
   * open (its read is still to come), joins it with this event's time instead (false). Lasts the
   * window plus slack, in case its holder stops (the holder's redelivered message reads then).
   */
  openWindow(resourceKey: string, eventTime: string): Promise<boolean> {
    return this.attempt(true, async (r) => {
      const opened = await r.eval(
        OPEN_OR_JOIN,
        1,
        `${PREFIX}window:${resourceKey}`,
        eventTime,
        String(this.windowMs * 8 + 1000),
      );
      return opened === 1;
    });
  }

  /**
   * Closes the window just before the read (events from now on need a read of their own) and
   * answers the newest event time other instances joined it with, if any.
   */
  async closeWindow(resourceKey: string): Promise<string | undefined> {
    return this.attempt(undefined, async (r) => {
      const key = `${PREFIX}window:${resourceKey}`;
      const [[, joined] = [null, null]] = ((await r.multi().get(key).del(key).exec()) ?? []) as Array<
        [Error | null, unknown]
      >;
      return typeof joined === 'string' && joined !== OPENED ? joined : undefined;
    });
  }
}

/** The value a window opens with: no other instance's event joined it yet. */
const OPENED = '-';

/** Open the window (1), or keep the newest joined event time in it (0). */
const OPEN_OR_JOIN = `
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], '${OPENED}', 'PX', ARGV[2])
  return 1
end
if v == '${OPENED}' or ARGV[1] > v then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
return 0
`;
