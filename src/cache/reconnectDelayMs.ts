/** Longest wait between two reconnection attempts, in milliseconds. */
export const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * Delay before reconnection attempt `attempt` (1-based), in milliseconds: 50, 100,
 * 200, 400, 800, then 1000 for ever, with up to 10% jitter so that many instances
 * do not reconnect in lockstep. Always a number: ioredis stops reconnecting for good
 * when a retryStrategy returns anything else, and the cache must never give up.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(50 * 2 ** Math.max(0, attempt - 1), MAX_RECONNECT_DELAY_MS);
  return Math.min(MAX_RECONNECT_DELAY_MS, Math.round(base * (0.9 + 0.2 * random())));
}
