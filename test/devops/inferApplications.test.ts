import { describe, expect, it } from 'vitest';
import { applicationName } from '../../src/devops/applicationName';
import type { Deployment, Repository } from '../../src/devops/DevOpsItems';
import {
  inferApplications,
  repositoryApplication,
  resourceNameApplication,
} from '../../src/devops/inferApplications';

const repo = (id: string, name: string, defaultBranch = 'main'): Repository => ({
  key: id,
  id,
  name,
  organization: 'contoso',
  project: 'Platform',
  defaultBranch,
  isDisabled: false,
});

const deployment = (
  id: number,
  repositoryId: string,
  environments: string[],
  extra: Partial<Deployment> = {},
): Deployment => ({
  key: String(id),
  id,
  organization: 'contoso',
  project: 'Platform',
  status: 'success',
  repositoryId,
  version: `1.0.${id}`,
  finishedAt: `2026-11-0${id}T00:00:00Z`,
  environments,
  ...(environments.length ? { environment: environments[environments.length - 1] } : {}),
  ...extra,
});

describe('application names and environments from repositories', () => {
  it.each([
    ['orders-api', 'main', 'orders', 'unknown'],
    ['Orders-Web', 'main', 'orders', 'unknown'],
    ['payments-service', 'main', 'payments', 'unknown'],
    ['crm-frontend', 'main', 'crm', 'unknown'],
    ['api', 'main', 'api', 'unknown'],
    ['product-catalog', 'main', 'product-catalog', 'unknown'],
    ['devops-tools', 'main', 'devops-tools', 'unknown'],
    ['devops-tools', 'develop', 'devops-tools', 'development'],
    ['orders-api-prod', 'main', 'orders', 'production'],
    ['billing-staging', 'main', 'billing', 'staging'],
    ['billing', 'release/prod', 'billing', 'production'],
    ['production-line', 'main', 'line', 'production'],
  ])('%s (branch %s) -> %s in %s', (name, branch, app, env) => {
    expect(repositoryApplication({ name, defaultBranch: branch })).toEqual({ name: app, environment: env });
  });

  it.each([
    ['prod-api-service', { name: 'api', environment: 'production' }],
    ['staging-orders-aks', { name: 'orders', environment: 'staging' }],
    ['dev-billing', { name: 'billing', environment: 'development' }],
    ['test-crm-db', { name: 'crm', environment: 'test' }],
    ['Payments-Web', { name: 'payments', environment: 'unknown' }],
    ['orders-app', { name: 'orders', environment: 'unknown' }],
    ['vm-e', undefined],
    ['api', undefined],
    ['osdisk-01', undefined],
  ])('untagged resource %s -> %j', (name, expected) => {
    expect(resourceNameApplication(name)).toEqual(expected);
  });

  it('strips one suffix only', () => {
    expect(applicationName('orders-api-web')).toBe('orders-api');
  });
});

describe('inferApplications', () => {
  it('joins repositories, deployments and tagged resources by name and canonical environment', () => {
    const apps = inferApplications({
      repositories: [repo('r1', 'orders-api'), repo('r2', 'product-catalog'), repo('r3', 'devops-tools')],
      deployments: [
        deployment(1, 'r1', ['dev']),
        deployment(2, 'r1', ['dev', 'staging', 'Production']),
        deployment(3, 'r1', ['dev', 'staging'], { status: 'failed', version: 'broken' }),
        deployment(4, 'r1', ['dev'], { status: 'in_progress', version: 'running' }),
      ],
      resources: [
        {
          id: '/s/1/vm-a',
          tags: { Application: 'orders-api', Environment: 'Prod', owner: 'team-orders@contoso.com' },
        },
        { id: '/s/1/vm-b', tags: { app_name: 'orders', env: 'production', team: 'orders' } },
        { id: '/s/1/vm-c', tags: { application: 'orders-api', environment: 'qa' } },
        { id: '/s/1/vm-d', tags: { service: 'billing-service' } },
        { id: '/s/1/vm-e', tags: { costCenter: 'CC-1' } },
        // No application tag: the name (or the id's last segment) names it.
        { id: '/s/1/prod-orders-aks', tags: { owner: 'orders' } },
        { id: '/s/1/x', name: 'staging-billing-api', tags: { env: 'dev' } },
      ],
    });
    const byKey = new Map(apps.map((a) => [`${a.name}/${a.environment}`, a]));
    expect([...byKey.keys()].sort()).toEqual([
      'billing/development',
      'billing/unknown',
      'devops-tools/unknown',
      'orders/development',
      'orders/production',
      'orders/staging',
      'orders/test',
      'product-catalog/unknown',
    ]);
    expect(byKey.get('orders/production')).toMatchObject({
      repositoryIds: ['r1'],
      resourceIds: ['/s/1/prod-orders-aks', '/s/1/vm-a', '/s/1/vm-b'],
      currentVersion: '1.0.2',
      lastDeployedAt: '2026-11-02T00:00:00Z',
      deploymentCount: 1,
      deploymentIds: [2],
    });
    // owner_team, team, owner: the first present on each resource; the most common wins.
    expect(byKey.get('orders/production')?.owner).toBe('orders');
    // An environment tag wins over the name's prefix.
    expect(byKey.get('billing/development')).toMatchObject({ resourceIds: ['/s/1/x'] });
    expect(byKey.get('orders/development')).toMatchObject({
      deploymentCount: 4,
      currentVersion: '1.0.2',
      deploymentIds: [4, 3, 2, 1],
    });
    expect(byKey.get('orders/staging')).toMatchObject({ deploymentCount: 2, currentVersion: '1.0.2' });
    expect(byKey.get('orders/test')).toMatchObject({
      resourceIds: ['/s/1/vm-c'],
      repositoryIds: ['r1'],
      deploymentCount: 0,
    });
    expect(byKey.get('orders/test')?.currentVersion).toBeUndefined();
    // Not production, not development: whole segments only.
    expect(byKey.get('product-catalog/unknown')).toMatchObject({ repositoryIds: ['r2'], deploymentCount: 0 });
    expect(byKey.get('devops-tools/unknown')).toMatchObject({ repositoryIds: ['r3'] });
  });

  it('gives every application a key, one per (name, environment)', () => {
    const apps = inferApplications({
      repositories: [repo('r1', 'a-api'), repo('r2', 'a-web')],
      deployments: [],
      resources: [],
    });
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({ name: 'a', environment: 'unknown', repositoryIds: ['r1', 'r2'] });
    expect(apps[0]?.key).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('is empty for nothing', () => {
    expect(inferApplications({ repositories: [], deployments: [], resources: [] })).toEqual([]);
  });
});
