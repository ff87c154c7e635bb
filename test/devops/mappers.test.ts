import { describe, expect, it } from 'vitest';
import { canonicalEnvironment } from '../../src/devops/canonicalEnvironment';
import { deploymentStatus } from '../../src/devops/deploymentStatus';
import { entityToDeployment, deploymentEntity, environmentColumn } from '../../src/devops/devopsEntities';
import { mapBuild } from '../../src/devops/mapBuild';
import { mapPipeline } from '../../src/devops/mapPipeline';
import { mapRepository } from '../../src/devops/mapRepository';
import { entityToPipeline, pipelineEntity } from '../../src/devops/devopsEntities';

describe('deploymentStatus', () => {
  it.each([
    ['completed', 'succeeded', 'success'],
    ['completed', 'partiallySucceeded', 'success'],
    ['completed', 'failed', 'failed'],
    ['completed', 'canceled', 'cancelled'],
    ['completed', undefined, 'success'],
    ['completed', 'none', 'success'],
    ['inProgress', undefined, 'in_progress'],
    ['notStarted', undefined, 'in_progress'],
    ['postponed', undefined, 'in_progress'],
    ['cancelling', undefined, 'cancelled'],
    ['cancelling', 'canceled', 'cancelled'],
    [undefined, undefined, 'in_progress'],
  ])('status %s, result %s -> %s', (status, result, expected) => {
    expect(deploymentStatus(status, result)).toBe(expected);
  });
});

describe('canonicalEnvironment (whole name segments)', () => {
  it.each([
    ['prod', 'production'],
    ['Production', 'production'],
    ['orders-prod', 'production'],
    ['rg-PRD-web', 'production'],
    ['product-catalog', 'unknown'],
    ['productCatalog', 'unknown'],
    ['staging', 'staging'],
    ['stg', 'staging'],
    ['uat', 'staging'],
    ['dev', 'development'],
    ['devops-tools', 'unknown'],
    ['development', 'development'],
    ['release/dev', 'development'],
    ['qa', 'test'],
    ['test', 'test'],
    ['contest', 'unknown'],
    ['latest', 'unknown'],
    ['', 'unknown'],
    [undefined, 'unknown'],
  ])('%j -> %s', (value, expected) => {
    expect(canonicalEnvironment(value)).toBe(expected);
  });
});

describe('mapBuild', () => {
  const raw = {
    id: 1234,
    buildNumber: '20261128.7',
    status: 'completed',
    result: 'succeeded',
    queueTime: '2026-11-28T10:00:00.000Z',
    startTime: '2026-11-28T10:00:30.000Z',
    finishTime: '2026-11-28T10:05:00.500Z',
    sourceBranch: 'refs/heads/release/2.1',
    sourceVersion: 'abc123',
    definition: { id: 7, name: 'orders-api-ci' },
    repository: { id: 'AB-CD', name: 'orders-api', type: 'TfsGit' },
    requestedFor: { displayName: 'Ada Lovelace', uniqueName: 'ada@contoso.com' },
    requestedBy: { displayName: 'Microsoft.VisualStudio.Services.TFS' },
  };

  it('maps every field, the version from the build number, and no run number for a dotted one', () => {
    const d = mapBuild(raw, 'contoso', 'Platform');
    expect(d).toMatchObject({
      id: 1234,
      organization: 'contoso',
      project: 'Platform',
      pipelineId: 7,
      pipelineName: 'orders-api-ci',
      version: '20261128.7',
      status: 'success',
      commitSha: 'abc123',
      branch: 'release/2.1',
      repositoryId: 'ab-cd',
      requestedBy: 'Ada Lovelace',
      startedAt: '2026-11-28T10:00:30.000Z',
      finishedAt: '2026-11-28T10:05:00.500Z',
      durationSeconds: 271,
    });
    expect(d.runNumber).toBeUndefined();
  });

  it('stores every time in one ISO form, so string comparisons order them', () => {
    const d = mapBuild(
      { ...raw, queueTime: '2026-11-28T10:00:00Z', startTime: '2026-11-28T10:00:30.1234567Z' },
      'o',
      'p',
    );
    expect(d.queuedAt).toBe('2026-11-28T10:00:00.000Z');
    expect(d.startedAt).toBe('2026-11-28T10:00:30.123Z');
  });

  it('takes the run number when the build number is all digits', () => {
    expect(mapBuild({ ...raw, buildNumber: '412' }, 'o', 'p').runNumber).toBe(412);
  });

  it('falls back to requestedFor.uniqueName, never to requestedBy', () => {
    expect(
      mapBuild({ ...raw, requestedFor: { uniqueName: 'grace@contoso.com' } }, 'o', 'p').requestedBy,
    ).toBe('grace@contoso.com');
    expect(mapBuild({ ...raw, requestedFor: undefined }, 'o', 'p').requestedBy).toBeUndefined();
  });

  it('has no duration while running', () => {
    const d = mapBuild({ ...raw, status: 'inProgress', result: undefined, finishTime: undefined }, 'o', 'p');
    expect(d.status).toBe('in_progress');
    expect(d.durationSeconds).toBeUndefined();
  });

  it('carries the environments the deployment records merged, the last reached as environment', () => {
    const row = {
      ...deploymentEntity(mapBuild(raw, 'contoso', 'Platform'), 'scan1'),
      [environmentColumn('production')]: '2026-11-28T11:00:00Z',
      [environmentColumn('dev')]: '2026-11-28T10:10:00Z',
      [environmentColumn('staging')]: '2026-11-28T10:30:00Z',
    };
    const d = entityToDeployment(row);
    expect(d.environments).toEqual(['dev', 'staging', 'production']);
    expect(d.environment).toBe('production');
  });
});

describe('mapRepository', () => {
  const raw = {
    id: 'E3A1-ID',
    name: 'orders-api',
    defaultBranch: 'refs/heads/main',
    size: 1024,
    remoteUrl: 'https://contoso@dev.azure.com/contoso/Platform/_git/orders-api',
    webUrl: 'https://dev.azure.com/contoso/Platform/_git/orders-api',
  };
  const commit = {
    commitId: 'c0ffee',
    comment: 'Fix the thing',
    author: { name: 'Ada', email: 'ada@contoso.com', date: '2026-11-01T00:00:00Z' },
  };

  it('strips refs/heads/ and keeps the last commit with message and author', () => {
    expect(mapRepository(raw, 'contoso', 'Platform', commit, false)).toMatchObject({
      id: 'e3a1-id',
      name: 'orders-api',
      url: raw.remoteUrl,
      webUrl: raw.webUrl,
      defaultBranch: 'main',
      sizeBytes: 1024,
      isDisabled: false,
      lastCommit: { sha: 'c0ffee', message: 'Fix the thing', author: 'Ada', date: '2026-11-01T00:00:00Z' },
    });
  });

  it('an empty repository has no last commit and no default branch', () => {
    const r = mapRepository({ ...raw, defaultBranch: undefined }, 'contoso', 'Platform', undefined, false);
    expect(r.lastCommit).toBeUndefined();
    expect(r.defaultBranch).toBeUndefined();
  });

  it('a disabled repository is flagged', () => {
    expect(mapRepository(raw, 'contoso', 'Platform', undefined, true).isDisabled).toBe(true);
    expect(
      mapRepository({ ...raw, isDisabled: true }, 'contoso', 'Platform', undefined, false).isDisabled,
    ).toBe(true);
  });
});

describe('mapPipeline', () => {
  const raw = {
    _links: { web: { href: 'https://dev.azure.com/contoso/p1/_build/definition?definitionId=7' } },
    url: 'https://dev.azure.com/contoso/p1/_apis/pipelines/7?revision=3',
    id: 7,
    revision: 3,
    name: 'orders-api-ci',
    folder: '\\services',
  };

  it('maps id, name, folder, revision and url, keyed by project and id, and round-trips its row', () => {
    const p = mapPipeline(raw, 'contoso', 'Platform');
    expect(p).toEqual({
      key: p.key,
      id: 7,
      name: 'orders-api-ci',
      folder: '\\services',
      revision: 3,
      organization: 'contoso',
      project: 'Platform',
      url: raw.url,
    });
    const row = pipelineEntity(p, 's1', '2026-11-29T00:00:00.000Z');
    expect(row).toMatchObject({ rowKey: '7', scanId: 's1' });
    expect(entityToPipeline(row)).toEqual(p);
  });

  it('leaves out what the service did not send, and refuses a pipeline with no id', () => {
    expect(mapPipeline({ id: 1, name: 'x' }, 'contoso', 'Platform')).not.toHaveProperty('folder');
    expect(() => mapPipeline({ name: 'x' } as never, 'contoso', 'Platform')).toThrow(TypeError);
  });
});
