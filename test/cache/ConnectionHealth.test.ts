import { describe, expect, it } from 'vitest';
import { ConnectionHealth } from '../../src/cache/ConnectionHealth';
import type { Logger } from '../../src/telemetry/logger';

function setup(minLogIntervalMs = 60_000) {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const logger: Logger = {
    debug: (message, fields) => lines.push({ level: 'debug', message, fields }),
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
    child: () => logger,
  };
  let now = 0;
  const health = new ConnectionHealth({
    logger,
    describe: (e) => `described ${(e as Error).message}`,
    minLogIntervalMs,
    now: () => now,
  });
  return { health, lines, advance: (ms: number) => (now += ms) };
}

describe('ConnectionHealth', () => {
  it('logs one warning per outage and one line when it ends', () => {
    const { health, lines, advance } = setup();
    for (let i = 0; i < 100; i++) health.failed(new Error('down'));
    expect(health.isDown).toBe(true);
    advance(1_500);
    health.succeeded();
    health.succeeded();
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', 'Redis cache unavailable, continuing without it: described down'],
      ['info', 'Redis cache reachable again'],
    ]);
    expect(lines[1]?.fields).toMatchObject({ outageMs: 1_500, failures: 100 });
  });

  it('summarises flapping instead of logging every short outage', () => {
    const { health, lines, advance } = setup(60_000);
    for (let i = 0; i < 5; i++) {
      health.failed(new Error(`blip ${i}`));
      advance(1_000);
      health.succeeded();
    }
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(lines.filter((l) => l.level === 'info')).toHaveLength(1);
    advance(60_000);
    health.failed(new Error('later'));
    const last = lines.at(-1);
    expect(last?.message).toMatch(/described later/);
    expect(last?.fields).toMatchObject({ outagesNotLoggedBefore: 4 });
  });
});
