/** The parts of Azure DevOps REST 7.1 bodies TopDeck reads. */
export interface ProjectJson {
  id: string;
  name: string;
  state?: string;
}

export interface RepositoryJson {
  id: string;
  name: string;
  url?: string;
  project?: { id?: string; name?: string };
  defaultBranch?: string;
  size?: number;
  remoteUrl?: string;
  webUrl?: string;
  isDisabled?: boolean;
}

export interface PipelineJson {
  id: number;
  name: string;
  folder?: string;
  revision?: number;
  url?: string;
}

export interface CommitJson {
  commitId: string;
  comment?: string;
  author?: { name?: string; email?: string; date?: string };
  committer?: { name?: string; email?: string; date?: string };
}

export interface IdentityJson {
  displayName?: string;
  uniqueName?: string;
}

export interface BuildJson {
  id: number;
  buildNumber?: string;
  status?: string;
  result?: string;
  queueTime?: string;
  startTime?: string;
  finishTime?: string;
  sourceBranch?: string;
  sourceVersion?: string;
  definition?: { id?: number; name?: string };
  repository?: { id?: string; name?: string; type?: string };
  requestedFor?: IdentityJson;
  requestedBy?: IdentityJson;
}

export interface EnvironmentJson {
  id: number;
  name: string;
}

export interface DeploymentRecordJson {
  id: number;
  environmentId?: number;
  stageName?: string;
  definition?: { id?: number; name?: string };
  owner?: { id?: number; name?: string };
  result?: string;
  queueTime?: string;
  startTime?: string;
  finishTime?: string;
}
