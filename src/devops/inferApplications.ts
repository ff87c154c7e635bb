import { applicationPartitionKey, applicationRowKey, tableKey } from '../storage/keys';
import { applicationName } from './applicationName';
import { canonicalEnvironment, nameSegments } from './canonicalEnvironment';
import type { Application, CanonicalEnvironment, Deployment, Repository } from './DevOpsItems';

/** What inference reads of an Azure resource: its id, name and tags (any type). */
export interface TaggedResource {
  id: string;
  /** The resource's name; when absent, the last segment of its id. */
  name?: string;
  tags: Record<string, string>;
}

const APP_TAGS = ['app_name', 'application', 'service_name', 'app', 'service'];
const ENV_TAGS = ['environment', 'env'];
const OWNER_TAGS = ['owner_team', 'team', 'owner'];

/** The first tag among `keys` (in that order, tag names compared case-insensitively). */
export function firstTag(tags: Record<string, string>, keys: readonly string[]): string | undefined {
  const lower = new Map(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
  for (const k of keys) {
    const v = lower.get(k)?.trim();
    if (v) return v;
  }
  return undefined;
}

/** The application a resource's tags name (the first application tag), as inference names it. */
export function taggedApplication(tags: Record<string, string>): string | undefined {
  const app = firstTag(tags, APP_TAGS);
  return app ? applicationName(app) : undefined;
}

const NAME_ENVIRONMENT_PREFIX = /^(prod|staging|dev|test)-/;
const NAME_KIND_SUFFIX = /-(aks|app|service|api|web|db)$/;

/**
 * The application an untagged resource's name follows the naming convention for
 * (reference-behaviour.md): `^(prod|staging|dev|test)-` and `-(aks|app|service|api|web|db)$`
 * stripped, so `prod-api-service` is `api` in production. A name that has neither (a disk, a
 * NIC, `vm-e`) names no application.
 */
export function resourceNameApplication(
  rawName: string,
): { name: string; environment: CanonicalEnvironment } | undefined {
  const lower = rawName.trim().toLowerCase();
  const prefix = NAME_ENVIRONMENT_PREFIX.exec(lower)?.[1];
  let name = prefix ? lower.slice(prefix.length + 1) : lower;
  const suffix = NAME_KIND_SUFFIX.exec(name);
  if (suffix && suffix.index > 0) name = name.slice(0, suffix.index);
  if (!name || (!prefix && !(suffix && suffix.index > 0))) return undefined;
  return { name, environment: canonicalEnvironment(prefix) };
}

/** A repository's application and the environment its name or default branch names. */
export function repositoryApplication(repo: Pick<Repository, 'name' | 'defaultBranch'>): {
  name: string;
  environment: CanonicalEnvironment;
} {
  const byName = canonicalEnvironment(repo.name);
  const environment = byName !== 'unknown' ? byName : canonicalEnvironment(repo.defaultBranch);
  // `orders-api-prod` is the `orders` application in production: the environment segment is not
  // part of the name.
  const kept =
    byName === 'unknown'
      ? repo.name
      : nameSegments(repo.name)
          .filter((s) => canonicalEnvironment(s) === 'unknown')
          .join('-') || repo.name;
  return { name: applicationName(kept), environment };
}

/** Deployment ids an application row lists (the table row must stay well under 1 MiB). */
const MAX_DEPLOYMENT_IDS = 100;

interface Draft {
  name: string;
  environment: CanonicalEnvironment;
  repositoryIds: Set<string>;
  resourceIds: Set<string>;
  owners: Map<string, number>;
  deployments: Deployment[];
}

/**
 * Applications, one per (name, canonical environment), from three sources: Azure resources'
 * tags (application, environment, owner), the environments pipeline runs deployed to (the run's
 * repository names the application), and repositories (their name, and an environment only
 * when a whole name segment says so). A repository belongs to every environment its application
 * was found in; one found nowhere else stands on its own.
 */
export function inferApplications(input: {
  repositories: Repository[];
  deployments: Deployment[];
  resources: TaggedResource[];
}): Application[] {
  const drafts = new Map<string, Draft>();
  const draft = (name: string, environment: CanonicalEnvironment): Draft => {
    const k = `${environment}\n${name}`;
    let d = drafts.get(k);
    if (!d) {
      d = {
        name,
        environment,
        repositoryIds: new Set(),
        resourceIds: new Set(),
        owners: new Map(),
        deployments: [],
      };
      drafts.set(k, d);
    }
    return d;
  };

  for (const r of input.resources) {
    const app = taggedApplication(r.tags);
    const tagEnvironment = canonicalEnvironment(firstTag(r.tags, ENV_TAGS));
    let d: Draft;
    if (app) d = draft(app, tagEnvironment);
    else {
      // No application tag: the name, when it follows the naming convention.
      const byName = resourceNameApplication(r.name ?? r.id.split('/').pop() ?? '');
      if (!byName) continue;
      d = draft(byName.name, tagEnvironment !== 'unknown' ? tagEnvironment : byName.environment);
    }
    d.resourceIds.add(r.id);
    const owner = firstTag(r.tags, OWNER_TAGS);
    if (owner) d.owners.set(owner, (d.owners.get(owner) ?? 0) + 1);
  }

  const repoById = new Map(input.repositories.map((r) => [r.id.toLowerCase(), r]));
  for (const dep of input.deployments) {
    const repo = dep.repositoryId ? repoById.get(dep.repositoryId.toLowerCase()) : undefined;
    const source = repo?.name ?? dep.repositoryName ?? dep.pipelineName;
    if (!source || !dep.environments.length) continue;
    const name = repo ? repositoryApplication(repo).name : applicationName(source);
    for (const env of new Set(dep.environments.map((e) => canonicalEnvironment(e)))) {
      const d = draft(name, env);
      d.deployments.push(dep);
      if (repo) d.repositoryIds.add(repo.id);
    }
  }

  for (const repo of input.repositories) {
    const { name, environment } = repositoryApplication(repo);
    const found = [...drafts.values()].filter(
      (d) => d.name === name && (environment === 'unknown' || d.environment === environment),
    );
    if (!found.length) found.push(draft(name, environment));
    for (const d of found) d.repositoryIds.add(repo.id);
  }

  return [...drafts.values()]
    .map((d): Application => {
      const successes = d.deployments
        .filter((x) => x.status === 'success')
        .sort((a, b) => deployedAt(a).localeCompare(deployedAt(b)) || a.id - b.id);
      const latest = successes[successes.length - 1];
      const newestFirst = [...new Map(d.deployments.map((x) => [x.id, x])).values()].sort(
        (a, b) => deployedAt(b).localeCompare(deployedAt(a)) || b.id - a.id,
      );
      const owner = [...d.owners.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
      return {
        key: tableKey(applicationPartitionKey(d.environment), applicationRowKey(d.name)),
        name: d.name,
        environment: d.environment,
        repositoryIds: [...d.repositoryIds].sort(),
        resourceIds: [...d.resourceIds].sort(),
        deploymentIds: newestFirst.slice(0, MAX_DEPLOYMENT_IDS).map((x) => x.id),
        ...(owner ? { owner } : {}),
        ...(latest?.version ? { currentVersion: latest.version } : {}),
        ...(latest && deployedAt(latest) ? { lastDeployedAt: deployedAt(latest) } : {}),
        deploymentCount: new Set(d.deployments.map((x) => `${x.organization}|${x.project}|${x.id}`)).size,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.environment.localeCompare(b.environment));
}

function deployedAt(d: Deployment): string {
  return d.finishedAt ?? d.startedAt ?? d.queuedAt ?? '';
}
