import { mixSeed, Prng } from '../prng';

/**
 * The Azure DevOps side of the demo estate: projects, repositories (with commits), pipelines,
 * builds, environments and deployment records, as REST 7.1 bodies. Repository names tie to the
 * Azure resources' `application` tags (`orders-api` builds the `orders-api` application), with
 * two names that only substring matching would misread (`product-catalog`, `devops-tools`).
 */
export const DEMO_APPLICATIONS: readonly string[] = [
  'web-store',
  'payments-api',
  'orders-api',
  'crm-web',
  'shared-services',
  'analytics-backend',
  'batch-jobs',
  'sap-app',
  'product-catalog',
  'devops-tools',
];

/** Tools and libraries: built, never deployed to an environment. */
const CI_ONLY = new Set(['product-catalog', 'devops-tools']);

export const DEMO_ENVIRONMENTS: readonly string[] = ['dev', 'qa', 'staging', 'production'];

export interface DevOpsEstateOptions {
  seed?: number;
  organization?: string;
  projects?: number;
  /** Repositories over every project. */
  repositories?: number;
  /** Builds over every project. */
  builds?: number;
  commitsPerRepository?: number;
}

export interface EmulatedCommit {
  commitId: string;
  comment: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
}

export interface EmulatedRepository {
  id: string;
  name: string;
  defaultBranch?: string;
  size: number;
  isDisabled: boolean;
  commits: EmulatedCommit[];
}

export interface EmulatedBuild {
  id: number;
  buildNumber: string;
  status: string;
  result?: string;
  queueTime: string;
  startTime?: string;
  finishTime?: string;
  sourceBranch: string;
  sourceVersion: string;
  definition: { id: number; name: string };
  repositoryId: string;
  requestedFor: { displayName?: string; uniqueName: string };
}

export interface EmulatedRecord {
  id: number;
  environmentId: number;
  buildId: number;
  definition: { id: number; name: string };
  result: string;
  queueTime: string;
  startTime: string;
  finishTime: string;
}

export interface EmulatedProject {
  id: string;
  name: string;
  repositories: EmulatedRepository[];
  pipelines: Array<{ id: number; name: string; repositoryId: string }>;
  builds: EmulatedBuild[];
  environments: Array<{ id: number; name: string }>;
  records: EmulatedRecord[];
}

export interface DevOpsEstate {
  organization: string;
  projects: EmulatedProject[];
  /** Next ids for builds added later (addBuilds). */
  nextBuildId: number;
  nextRecordId: number;
}

const PEOPLE = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'];
const BASE_TIME = Date.UTC(2026, 9, 1);
const RESULTS: ReadonlyArray<[string, string | undefined]> = [
  ['completed', 'succeeded'],
  ['completed', 'succeeded'],
  ['completed', 'succeeded'],
  ['completed', 'partiallySucceeded'],
  ['completed', 'failed'],
  ['completed', 'canceled'],
];

function pick<T>(rng: Prng, list: readonly T[]): T {
  return list[rng.int(0, list.length - 1)] as T;
}

export function generateDevOpsEstate(options: DevOpsEstateOptions = {}): DevOpsEstate {
  const seed = options.seed ?? 42;
  const rng = new Prng(mixSeed(seed, 0xde7095));
  const projectCount = Math.max(1, options.projects ?? 2);
  const repoTotal = Math.max(projectCount, options.repositories ?? DEMO_APPLICATIONS.length);
  const buildTotal = Math.max(0, options.builds ?? 120);
  const commits = options.commitsPerRepository ?? 25;
  const estate: DevOpsEstate = {
    organization: options.organization ?? 'contoso',
    projects: [],
    nextBuildId: 1,
    nextRecordId: 1,
  };
  for (let p = 0; p < projectCount; p++) {
    estate.projects.push({
      id: rng.guid(),
      name: p === 0 ? 'Platform' : `Project-${p + 1}`,
      repositories: [],
      pipelines: [],
      builds: [],
      environments: DEMO_ENVIRONMENTS.map((name, i) => ({ id: p * 10 + i + 1, name })),
      records: [],
    });
  }
  for (let r = 0; r < repoTotal; r++) {
    const project = estate.projects[r % projectCount] as EmulatedProject;
    const base = DEMO_APPLICATIONS[r % DEMO_APPLICATIONS.length] as string;
    const name = r < DEMO_APPLICATIONS.length ? base : `${base}-${Math.floor(r / DEMO_APPLICATIONS.length)}`;
    // One disabled and one empty repository in every demo estate.
    const isDisabled = r === repoTotal - 1 && repoTotal > 2;
    const empty = r === repoTotal - 2 && repoTotal > 2;
    const repo: EmulatedRepository = {
      id: rng.guid(),
      name,
      ...(empty ? {} : { defaultBranch: 'refs/heads/main' }),
      size: empty ? 0 : rng.int(10_000, 50_000_000),
      isDisabled,
      commits: [],
    };
    for (let c = 0; c < (empty ? 0 : commits); c++) {
      const who = pick(rng, PEOPLE);
      const date = new Date(BASE_TIME + 86_400_000 * 50 - c * 3_600_000 * rng.int(1, 30)).toISOString();
      const email = `${who.split(' ')[0]?.toLowerCase()}@contoso.com`;
      repo.commits.push({
        commitId: rng.hex(40),
        comment: `${pick(rng, ['Fix', 'Add', 'Update', 'Refactor'])} ${name} ${c}`,
        author: { name: who, email, date },
        committer: { name: who, email, date },
      });
    }
    project.repositories.push(repo);
    project.pipelines.push({ id: project.pipelines.length + 1, name: `${name}-ci`, repositoryId: repo.id });
  }
  for (let b = 0; b < buildTotal; b++) {
    const project = estate.projects[b % projectCount] as EmulatedProject;
    addBuild(estate, project, rng, BASE_TIME + b * 60_000, b >= buildTotal - projectCount);
  }
  return estate;
}

/** One more build (and its deployment records), queued at `queuedMs`. */
export function addBuild(
  estate: DevOpsEstate,
  project: EmulatedProject,
  rng: Prng,
  queuedMs: number,
  running = false,
): EmulatedBuild {
  const live = project.pipelines.filter(
    (p) => !project.repositories.find((r) => r.id === p.repositoryId)?.isDisabled,
  );
  const pipeline = pick(rng, live.length ? live : project.pipelines);
  const repo = project.repositories.find((r) => r.id === pipeline.repositoryId) as EmulatedRepository;
  const id = estate.nextBuildId++;
  const [status, result] = running
    ? [pick(rng, ['inProgress', 'notStarted', 'postponed']), undefined]
    : pick(rng, RESULTS);
  const start = queuedMs + rng.int(1, 30) * 1000;
  const finish = start + rng.int(60, 900) * 1000;
  const who = pick(rng, PEOPLE);
  const build: EmulatedBuild = {
    id,
    // Some pipelines number runs plainly, others by date.
    buildNumber: pipeline.id % 2 ? String(id) : `20261128.${id}`,
    status,
    ...(result ? { result } : {}),
    queueTime: new Date(queuedMs).toISOString(),
    ...(status !== 'notStarted' && status !== 'postponed'
      ? { startTime: new Date(start).toISOString() }
      : {}),
    ...(result ? { finishTime: new Date(finish).toISOString() } : {}),
    sourceBranch: 'refs/heads/main',
    sourceVersion: repo.commits[0]?.commitId ?? rng.hex(40),
    definition: { id: pipeline.id, name: pipeline.name },
    repositoryId: repo.id,
    requestedFor: rng.chance(0.9)
      ? { displayName: who, uniqueName: `${who.split(' ')[0]?.toLowerCase()}@contoso.com` }
      : { uniqueName: `${who.split(' ')[0]?.toLowerCase()}@contoso.com` },
  };
  project.builds.push(build);
  const base = repo.name.replace(/-\d+$/, '');
  if ((result === 'succeeded' || result === 'partiallySucceeded') && !CI_ONLY.has(base)) {
    // Successful runs go through the environments in order, stopping somewhere along the way.
    const reach = rng.int(1, project.environments.length);
    for (let e = 0; e < reach; e++) {
      const env = project.environments[e] as { id: number; name: string };
      const at = finish + e * 60_000;
      project.records.push({
        id: estate.nextRecordId++,
        environmentId: env.id,
        buildId: id,
        definition: build.definition,
        result: 'succeeded',
        queueTime: new Date(at - 30_000).toISOString(),
        startTime: new Date(at - 20_000).toISOString(),
        finishTime: new Date(at).toISOString(),
      });
    }
  }
  return build;
}
