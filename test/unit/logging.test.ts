import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/errors/classifyError';
import { ErrorTracker } from '../../src/resilience';
import { createLogger, setLogSink, withOperation } from '../../src/telemetry/logger';
import { redactText, registerSecret } from '../../src/telemetry/redact';

/** Secrets made at run time, shaped like the real ones (never committed). */
const pat = Array.from(randomBytes(52), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
const accountKey = randomBytes(64).toString('base64');
const bearer = `eyJ${randomBytes(90).toString('base64url')}`;
const password = `Pw-${randomBytes(9).toString('hex')}`;

function capture(): string[] {
  const lines: string[] = [];
  setLogSink((line) => lines.push(line));
  return lines;
}

describe('structured logging', () => {
  afterEach(() => setLogSink(undefined));

  it('writes JSON lines with timestamp, level, logger, message, correlation id and context fields', () => {
    const lines = capture();
    const log = createLogger('scan', { component: 'test' }).child({ taskId: 't1' });
    withOperation({ correlationId: 'scan-1', page: 3 }, () => log.info('page done', { items: 100 }));
    const entry = JSON.parse(lines[0] as string);
    expect(entry).toMatchObject({
      level: 'info',
      logger: 'scan',
      message: 'page done',
      correlationId: 'scan-1',
      component: 'test',
      taskId: 't1',
      page: 3,
      items: 100,
    });
    expect(new Date(entry.timestamp).toISOString()).toBe(entry.timestamp);
  });

  it('keeps the correlation id per async flow, never process-wide', async () => {
    const lines = capture();
    const log = createLogger('t');
    const run = (id: string, delay: number) =>
      withOperation({ correlationId: id }, async () => {
        await new Promise((r) => setTimeout(r, delay));
        log.info('done');
      });
    await Promise.all([run('a', 20), run('b', 5)]);
    log.info('outside');
    expect(lines.map((l) => JSON.parse(l).correlationId)).toEqual(['b', 'a', null]);
  });

  it('never lets a PAT, an account key, a bearer token or a password through', () => {
    const lines = capture();
    registerSecret(pat);
    const log = createLogger('t');
    const connectionString = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${accountKey};EndpointSuffix=core.windows.net`;
    const error = new Error(`request failed: Authorization: Bearer ${bearer} with ${connectionString}`);
    log.error(`PAT ${pat} rejected`, {
      error,
      headers: { authorization: `Basic ${Buffer.from(`:${pat}`).toString('base64')}` },
      url: `https://user:${password}@example.invalid/path?sv=1&sig=${accountKey}`,
      settings: { AZURE_DEVOPS_PAT: pat, connectionString, nested: [`Server=tcp:db;Password=${password};`] },
    });
    const tracker = new ErrorTracker();
    tracker.failure('page-1', classifyError(new Error(`token ${bearer} and key AccountKey=${accountKey}`)));
    const out = lines.join('\n') + JSON.stringify(tracker.summary()) + redactText(`pat=${pat}`);
    for (const secret of [pat, accountKey, bearer, password, Buffer.from(`:${pat}`).toString('base64')]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('[REDACTED]');
    expect(out).toContain('AccountName=acct');
  });
});
