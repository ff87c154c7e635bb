import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevOpsEmulator, type DevOpsEmulator } from '../../src/emulator/devops';
import type { TopDeckError } from '../../src/errors/TopDeckError';
import { countingCalls, currentCallCounts } from '../../src/telemetry/callCounts';
import { capturedLogs } from '../support/localHost';
import { devopsTestClient } from './devopsTestClient';

// A PAT in the shape Azure DevOps issues (52 lower-case letters and digits).
const PAT = 'q7w3e9r1t5y8u2i4o6p0a1s3d5f7g9h2j4k6l8z0x1c3v5b7n9m2';

describe('DevOpsClient against the HTTPS Azure DevOps look-alike', () => {
  let emulator: DevOpsEmulator;
  const closers: Array<() => Promise<void>> = [];
  const client = (o: Parameters<typeof devopsTestClient>[1] = {}) => {
    const made = devopsTestClient(emulator, { pat: PAT, ...o });
    closers.push(made.close);
    return made.client;
  };

  beforeAll(async () => {
    emulator = await startDevOpsEmulator({
      projects: 2,
      repositories: 12,
      builds: 500,
      pat: PAT,
      bearerToken: 'entra-token',
    });
  });
  afterEach(() => {
    emulator.setMode('ok');
    emulator.resetLog();
  });
  afterAll(async () => {
    for (const c of closers) await c();
    await emulator?.close();
  });

  it('follows x-ms-continuationtoken to the last build: the service caps pages at 100 whatever $top says', async () => {
    const builds = await client().listAll<{ id: number }>({
      path: 'Platform/_apis/build/builds',
      query: { $top: 1000, queryOrder: 'queueTimeAscending' },
      project: 'Platform',
      scope: 'Build: Read',
      what: 'builds',
    });
    const expected = emulator.estate.projects[0]?.builds ?? [];
    expect(expected).toHaveLength(250);
    expect(builds.map((b) => b.id)).toEqual(expected.map((b) => b.id));
    const calls = emulator.requestLog();
    expect(calls).toHaveLength(3);
    expect(calls.map((c) => c.items)).toEqual([100, 100, 50]);
    expect(calls[1]?.path).toContain('continuationToken=');
  });

  const failures: Array<[Parameters<DevOpsEmulator['setMode']>[0], RegExp]> = [
    ['unauthorized', /401.*the PAT \(AZURE_DEVOPS_PAT\) is invalid or expired/],
    ['signin203', /203 with a sign-in page.*the PAT \(AZURE_DEVOPS_PAT\) is invalid or expired/],
    ['redirect', /302 with a sign-in page.*the PAT \(AZURE_DEVOPS_PAT\) is invalid or expired/],
    [
      'forbidden',
      /403.*the PAT lacks the "Code: Read" scope.*Code: Read, Build: Read, Release: Read and Environment: Read/,
    ],
    [
      'notfound',
      /404.*organisation "contoso" or project "Platform" was not found; check AZURE_DEVOPS_ORG and AZURE_DEVOPS_PROJECT/,
    ],
  ];
  it.each(failures)(
    'mode %s: a permanent error naming the fix, not retried, PAT nowhere',
    async (mode, message) => {
      emulator.setMode(mode);
      let error: TopDeckError | undefined;
      try {
        await client().get({
          path: 'Platform/_apis/git/repositories',
          project: 'Platform',
          scope: 'Code: Read',
          what: 'repositories',
        });
      } catch (e) {
        error = e as TopDeckError;
      }
      expect(error?.message).toMatch(message);
      expect(error?.transient).toBe(false);
      expect(emulator.requestLog()).toHaveLength(1);
      const everything = JSON.stringify([error, error?.message, error?.stack, capturedLogs]);
      expect(everything).not.toContain(PAT);
      expect(everything).not.toContain(Buffer.from(`:${PAT}`).toString('base64'));
    },
  );

  it('a 403 on the pipeline definitions names the Build: Read scope', async () => {
    emulator.setMode('forbidden');
    await expect(
      client().get({
        path: 'Platform/_apis/pipelines',
        project: 'Platform',
        scope: 'Build: Read',
        what: 'pipelines',
      }),
    ).rejects.toThrow(/403.*the PAT lacks the "Build: Read" scope/);
  });

  it('names the organisation when it does not exist', async () => {
    const other = devopsTestClient({ ...emulator, organization: 'fabrikam' }, { pat: PAT });
    closers.push(other.close);
    await expect(
      other.client.get({ path: '_apis/projects', scope: 'Project and Team: Read', what: 'projects' }),
    ).rejects.toThrow(/organisation "fabrikam" was not found; check AZURE_DEVOPS_ORG/);
  });

  it('signs in as the Entra identity with no PAT: a token for the Azure DevOps resource', async () => {
    const scopes: string[] = [];
    const c = client({
      pat: undefined,
      credential: {
        getToken: async (scope) => {
          scopes.push(...[scope].flat());
          return { token: 'entra-token', expiresOnTimestamp: Date.now() + 3_600_000 };
        },
      },
    });
    const { body } = await c.get<{ value: unknown[] }>({
      path: '_apis/projects',
      scope: 'Project and Team: Read',
      what: 'projects',
    });
    expect(body.value).toHaveLength(2);
    expect(scopes).toEqual(['499b84ac-1321-427f-aa17-267ca6975798/.default']);
    // A wrong token is a 401 that names the identity, not a PAT.
    const bad = client({
      pat: undefined,
      credential: { getToken: async () => ({ token: 'other', expiresOnTimestamp: Date.now() + 3_600_000 }) },
    });
    await expect(
      bad.get({ path: '_apis/projects', scope: 'Project and Team: Read', what: 'projects' }),
    ).rejects.toThrow(/Entra identity is not accepted by organisation "contoso"/);
  });
});

describe('DevOpsClient under the service throttle', () => {
  let emulator: DevOpsEmulator;
  beforeAll(async () => {
    emulator = await startDevOpsEmulator({
      projects: 1,
      repositories: 3,
      builds: 10,
      budget: { points: 5, windowMs: 1000 },
    });
  });
  afterAll(async () => emulator?.close());

  it('waits out the 429s (Retry-After, every retry spending budget) and reads everything', async () => {
    const made = devopsTestClient(emulator);
    try {
      const calls = Array.from({ length: 8 }, () =>
        made.client.get({ path: '_apis/projects', scope: 'Project and Team: Read', what: 'projects' }),
      );
      const results = await Promise.all(calls);
      expect(results).toHaveLength(8);
      const stats = made.client.stats();
      expect(stats.throttled).toBeGreaterThan(0);
      expect(stats.calls).toBe(8 + stats.retries);
      // Each 429 paused the shared budget for the server's Retry-After.
      expect(made.resilience.budget.stats().pauses).toBeGreaterThan(0);
      const log = emulator.requestLog();
      expect(log.filter((c) => c.status === 429).length).toBe(stats.throttled);
      expect(emulator.maxCallsInWindow(1000)).toBeLessThanOrEqual(5);
      // A page's operation metrics see its Azure DevOps attempts, 429s and retries.
      const counts = await countingCalls(async () => {
        for (let i = 0; i < 6; i++)
          await made.client.get({
            path: '_apis/projects',
            scope: 'Project and Team: Read',
            what: 'projects',
          });
        return currentCallCounts();
      });
      expect(counts?.apiCalls).toBe(6 + (counts?.retries ?? 0));
      expect(counts?.throttled).toBe(counts?.retries);
    } finally {
      await made.close();
    }
  });
});
