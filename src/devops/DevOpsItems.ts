/** Item shapes of the DevOps routes (camelCase), as stored and as served. */
export interface CommitSummary {
  sha: string;
  message?: string;
  author?: string;
  date?: string;
}

export interface Repository {
  key: string;
  id: string;
  name: string;
  organization: string;
  project: string;
  /** remoteUrl */
  url?: string;
  webUrl?: string;
  /** Without `refs/heads/`. */
  defaultBranch?: string;
  sizeBytes?: number;
  isDisabled: boolean;
  /** Absent for an empty (or disabled) repository. */
  lastCommit?: CommitSummary;
}

/** A pipeline definition (the Pipelines API). */
export interface Pipeline {
  key: string;
  id: number;
  name: string;
  /** `\` for the root folder. */
  folder?: string;
  revision?: number;
  organization: string;
  project: string;
  url?: string;
}

export type DeploymentStatus = 'success' | 'failed' | 'in_progress' | 'cancelled';

export interface Deployment {
  key: string;
  /** The build id. */
  id: number;
  organization: string;
  project: string;
  pipelineId?: number;
  pipelineName?: string;
  /** Only when the build number is all digits. */
  runNumber?: number;
  /** The build number. */
  version?: string;
  status: DeploymentStatus;
  commitSha?: string;
  branch?: string;
  repositoryId?: string;
  repositoryName?: string;
  requestedBy?: string;
  queuedAt?: string;
  startedAt?: string;
  finishedAt?: string;
  durationSeconds?: number;
  /** The environment it reached last. */
  environment?: string;
  environments: string[];
}

export type CanonicalEnvironment = 'production' | 'staging' | 'development' | 'test' | 'unknown';

export interface Application {
  key: string;
  name: string;
  environment: CanonicalEnvironment;
  repositoryIds: string[];
  resourceIds: string[];
  /** Its latest deployments (build ids), newest first, at most 100; the rest via /api/deployments. */
  deploymentIds: number[];
  owner?: string;
  currentVersion?: string;
  lastDeployedAt?: string;
  deploymentCount: number;
}
