/**
 * The HTTPS Azure DevOps look-alike: the REST 7.1 routes TopDeck reads, bodies shaped like the
 * official examples, `x-ms-continuationtoken` paging (builds capped at 100 a page whatever `$top`
 * says), a per-organisation budget answering 429 with `Retry-After` and `X-RateLimit-*`, and
 * switchable failure modes (401, 203 sign-in page, redirect, 403, 404).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { mixSeed, Prng } from '../prng';
import { selfSignedCertificate } from '../selfSignedCertificate';
import {
  addBuild,
  generateDevOpsEstate,
  type DevOpsEstate,
  type DevOpsEstateOptions,
  type EmulatedBuild,
  type EmulatedProject,
} from './devopsEstate';

export type DevOpsEmulatorMode = 'ok' | 'unauthorized' | 'signin203' | 'redirect' | 'forbidden' | 'notfound';

export interface DevOpsEmulatorOptions extends DevOpsEstateOptions {
  /** Added to every answer, in milliseconds. */
  latencyMs?: number;
  /** Calls allowed per organisation in any window of windowMs (absent = unlimited). */
  budget?: { points: number; windowMs: number };
  /** The PAT it accepts (any non-empty one when absent). */
  pat?: string;
  /** The Entra bearer token it accepts (any when absent). */
  bearerToken?: string;
  /** Largest build page, whatever `$top` asks (the service caps near 100). */
  buildPageCap?: number;
}

export interface DevOpsRequestLogEntry {
  at: number;
  path: string;
  status: number;
  /** Items in the answer's `value`. */
  items?: number;
}

export interface DevOpsEmulator {
  /** The base URL (AZURE_DEVOPS_BASE_URL). */
  baseUrl: string;
  organization: string;
  caPem: string;
  estate: DevOpsEstate;
  setMode(mode: DevOpsEmulatorMode): void;
  /** Queues `count` new finished builds in project `project` (after every existing one). */
  addBuilds(project: string, count: number): EmulatedBuild[];
  requestLog(): DevOpsRequestLogEntry[];
  resetLog(): void;
  /** The most answered (non-429) calls in any window of windowMs. */
  maxCallsInWindow(windowMs: number): number;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

const SIGN_IN_PAGE =
  '<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in</body></html>';

function encodeToken(n: number): string {
  return Buffer.from(String(n)).toString('base64url');
}

function decodeToken(t: string | null): number {
  if (!t) return 0;
  const n = Number(Buffer.from(t, 'base64url').toString('utf8'));
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

function tfError(status: number, typeKey: string, message: string): Reply {
  return {
    status,
    body: {
      $id: '1',
      innerException: null,
      message,
      typeName: `Microsoft.TeamFoundation.Core.WebApi.${typeKey}, Microsoft.TeamFoundation.Core.WebApi`,
      typeKey,
      errorCode: 0,
      eventId: 3000,
    },
  };
}

class DevOpsCore {
  baseUrl = '';
  mode: DevOpsEmulatorMode = 'ok';
  log: DevOpsRequestLogEntry[] = [];
  private accepted: number[] = [];
  private readonly rng: Prng;

  constructor(
    readonly estate: DevOpsEstate,
    private readonly options: DevOpsEmulatorOptions,
  ) {
    this.rng = new Prng(mixSeed(options.seed ?? 42, 0xb17d));
  }

  addBuilds(projectName: string, count: number): EmulatedBuild[] {
    const project = this.project(projectName);
    if (!project) throw new Error(`no project ${projectName}`);
    const last = Math.max(...project.builds.map((b) => Date.parse(b.queueTime)), Date.now() - 86_400_000);
    const out: EmulatedBuild[] = [];
    for (let i = 0; i < count; i++)
      out.push(addBuild(this.estate, project, this.rng, last + (i + 1) * 60_000));
    return out;
  }

  maxCallsInWindow(windowMs: number): number {
    const times = this.log
      .filter((e) => e.status !== 429)
      .map((e) => e.at)
      .sort((a, b) => a - b);
    let max = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] as number) - (times[j] as number) >= windowMs) j++;
      max = Math.max(max, i - j + 1);
    }
    return max;
  }

  private project(name: string): EmulatedProject | undefined {
    const key = name.toLowerCase();
    return this.estate.projects.find((p) => p.name.toLowerCase() === key || p.id === key);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    let reply: Reply;
    try {
      reply = this.route(req, url);
    } catch (e) {
      reply = { status: 500, body: { message: (e as Error).message } };
    }
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    const value = (reply.body as { value?: unknown[] } | undefined)?.value;
    this.log.push({
      at: Date.now(),
      path: url.pathname + url.search,
      status: reply.status,
      ...(Array.isArray(value) ? { items: value.length } : {}),
    });
    const text = reply.text ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
    res.writeHead(reply.status, {
      'content-type': reply.text ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
      activityid: this.rng.guid(),
      ...reply.headers,
    });
    res.end(text);
  }

  private throttle(): Reply | undefined {
    const budget = this.options.budget;
    if (!budget) return undefined;
    const now = Date.now();
    this.accepted = this.accepted.filter((t) => now - t < budget.windowMs);
    const remaining = budget.points - this.accepted.length;
    const reset = Math.ceil(((this.accepted[0] ?? now) + budget.windowMs) / 1000);
    if (remaining <= 0) {
      const waitMs = (this.accepted[0] ?? now) + budget.windowMs - now;
      return {
        status: 429,
        body: {
          message: `TF400733: The request has been canceled: Request was blocked due to exceeding usage of resource 'ATCPU' in namespace 'User'.`,
        },
        headers: {
          'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))),
          'x-ratelimit-resource': 'ATCPU',
          'x-ratelimit-delay': '0',
          'x-ratelimit-limit': String(budget.points),
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(reset),
        },
      };
    }
    this.accepted.push(now);
    // Azure DevOps sends the headers only near the limit.
    if (remaining - 1 < budget.points * 0.1) {
      return {
        status: 0,
        headers: {
          'x-ratelimit-resource': 'ATCPU',
          'x-ratelimit-limit': String(budget.points),
          'x-ratelimit-remaining': String(remaining - 1),
          'x-ratelimit-reset': String(reset),
        },
      };
    }
    return undefined;
  }

  private authorized(req: IncomingMessage): boolean {
    const auth = req.headers.authorization ?? '';
    const basic = /^Basic\s+(.+)$/i.exec(auth);
    if (basic?.[1]) {
      const pat = Buffer.from(basic[1], 'base64')
        .toString('utf8')
        .replace(/^[^:]*:/, '');
      return pat.length > 0 && (this.options.pat === undefined || pat === this.options.pat);
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(auth);
    if (bearer?.[1]) return this.options.bearerToken === undefined || bearer[1] === this.options.bearerToken;
    return false;
  }

  private route(req: IncomingMessage, url: URL): Reply {
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const [org, ...rest] = segments;
    if (!org || org.toLowerCase() !== this.estate.organization.toLowerCase() || this.mode === 'notfound') {
      return tfError(
        404,
        'ProjectDoesNotExistWithNameException',
        `TF200016: The following project does not exist: ${rest[0] ?? org ?? ''}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
      );
    }
    if (this.mode === 'unauthorized' || !this.authorized(req)) return { status: 401, text: SIGN_IN_PAGE };
    if (this.mode === 'signin203') return { status: 203, text: SIGN_IN_PAGE };
    if (this.mode === 'redirect')
      return {
        status: 302,
        headers: { location: 'https://spsprodweu5.vssps.visualstudio.com/_signin?realm=dev.azure.com' },
      };
    const throttled = this.throttle();
    if (throttled && throttled.status === 429) return throttled;
    const reply = this.answer(rest, url);
    if (throttled?.headers) reply.headers = { ...throttled.headers, ...reply.headers };
    return reply;
  }

  private answer(rest: string[], url: URL): Reply {
    const q = url.searchParams;
    const s = rest.map((x) => x.toLowerCase());
    if (s[0] === '_apis' && s[1] === 'projects' && s.length === 2) {
      const skip = decodeToken(q.get('continuationToken'));
      const top = Math.max(1, Number(q.get('$top') ?? 100));
      const all = this.estate.projects;
      return this.page(
        all
          .slice(skip, skip + top)
          .map((p) => ({ id: p.id, name: p.name, state: 'wellFormed', revision: 1, visibility: 'private' })),
        skip + top < all.length ? encodeToken(skip + top) : undefined,
      );
    }
    const project = rest[0] ? this.project(rest[0]) : undefined;
    if (!project)
      return tfError(
        404,
        'ProjectDoesNotExistWithNameException',
        `TF200016: The following project does not exist: ${rest[0] ?? ''}.`,
      );
    if (this.mode === 'forbidden')
      return tfError(
        403,
        'UnauthorizedRequestException',
        'TF400813: The user is not authorized to access this resource.',
      );
    const path = s.slice(1).join('/');
    if (path === '_apis/git/repositories') {
      return this.page(project.repositories.map((r) => this.repositoryJson(project, r)));
    }
    const commits = /^_apis\/git\/repositories\/([^/]+)\/commits$/.exec(path);
    if (commits) {
      const repo = project.repositories.find(
        (r) => r.id === commits[1] || r.name.toLowerCase() === commits[1],
      );
      if (!repo || repo.isDisabled)
        return tfError(
          404,
          'GitRepositoryNotFoundException',
          `TF401019: The Git repository with name or identifier ${commits[1]} does not exist or you do not have permissions for the operation you are attempting.`,
        );
      const top = Number(q.get('searchCriteria.$top') ?? 100);
      return this.page(repo.commits.slice(0, top));
    }
    if (path === '_apis/build/builds') return this.builds(project, q);
    if (path === '_apis/pipelines') {
      // The definitions its builds ran, paged like the service: `$top`, `x-ms-continuationtoken`.
      const skip = decodeToken(q.get('continuationToken'));
      const top = Math.max(1, Number(q.get('$top') ?? 100));
      const all = project.pipelines;
      const base = `${this.baseUrl}/${this.estate.organization}/${project.id}`;
      return this.page(
        all.slice(skip, skip + top).map((p) => ({
          _links: { web: { href: `${base}/_build/definition?definitionId=${p.id}` } },
          url: `${base}/_apis/pipelines/${p.id}?revision=1`,
          id: p.id,
          revision: 1,
          name: p.name,
          folder: '\\',
        })),
        skip + top < all.length ? encodeToken(skip + top) : undefined,
      );
    }
    if (path === '_apis/distributedtask/environments') {
      const skip = decodeToken(q.get('continuationToken'));
      const top = Math.max(1, Number(q.get('$top') ?? 50));
      const all = project.environments;
      return this.page(
        all.slice(skip, skip + top).map((e) => ({
          id: e.id,
          name: e.name,
          description: '',
          project: { id: project.id, name: project.name },
        })),
        skip + top < all.length ? encodeToken(skip + top) : undefined,
      );
    }
    const records = /^_apis\/distributedtask\/environments\/(\d+)\/environmentdeploymentrecords$/.exec(path);
    if (records) {
      const envId = Number(records[1]);
      const all = project.records.filter((r) => r.environmentId === envId);
      const skip = decodeToken(q.get('continuationToken'));
      const top = Math.max(1, Number(q.get('top') ?? 25));
      return this.page(
        all.slice(skip, skip + top).map((r) => ({
          id: r.id,
          environmentId: r.environmentId,
          planType: 'Build',
          stageName: 'Deploy',
          jobName: 'Deploy',
          definition: r.definition,
          owner: { id: r.buildId, name: String(r.buildId) },
          result: r.result,
          queueTime: r.queueTime,
          startTime: r.startTime,
          finishTime: r.finishTime,
        })),
        skip + top < all.length ? encodeToken(skip + top) : undefined,
      );
    }
    return tfError(404, 'RouteNotFound', `No route matches ${url.pathname}`);
  }

  private builds(project: EmulatedProject, q: URLSearchParams): Reply {
    let list = project.builds;
    const ids = q.get('buildIds');
    if (ids) {
      const wanted = new Set(ids.split(',').map(Number));
      list = list.filter((b) => wanted.has(b.id));
    }
    const minTime = q.get('minTime');
    if (minTime) list = list.filter((b) => b.queueTime >= new Date(minTime).toISOString());
    list = [...list].sort((a, b) =>
      q.get('queryOrder') === 'queueTimeAscending'
        ? a.queueTime.localeCompare(b.queueTime) || a.id - b.id
        : b.queueTime.localeCompare(a.queueTime) || b.id - a.id,
    );
    const skip = decodeToken(q.get('continuationToken'));
    const top = Math.min(Number(q.get('$top') ?? 1000), this.options.buildPageCap ?? 100);
    return this.page(
      list.slice(skip, skip + top).map((b) => this.buildJson(project, b)),
      skip + top < list.length ? encodeToken(skip + top) : undefined,
    );
  }

  private page(value: unknown[], continuation?: string): Reply {
    return {
      status: 200,
      body: { count: value.length, value },
      ...(continuation ? { headers: { 'x-ms-continuationtoken': continuation } } : {}),
    };
  }

  private repositoryJson(project: EmulatedProject, r: EmulatedProject['repositories'][number]): unknown {
    const org = this.estate.organization;
    const web = `https://dev.azure.com/${org}/${encodeURIComponent(project.name)}/_git/${encodeURIComponent(r.name)}`;
    return {
      id: r.id,
      name: r.name,
      url: `${this.baseUrl}/${org}/${project.id}/_apis/git/repositories/${r.id}`,
      project: { id: project.id, name: project.name, state: 'wellFormed', visibility: 'private' },
      ...(r.defaultBranch ? { defaultBranch: r.defaultBranch } : {}),
      size: r.size,
      remoteUrl: `https://${org}@dev.azure.com/${org}/${encodeURIComponent(project.name)}/_git/${encodeURIComponent(r.name)}`,
      sshUrl: `git@ssh.dev.azure.com:v3/${org}/${encodeURIComponent(project.name)}/${encodeURIComponent(r.name)}`,
      webUrl: web,
      isDisabled: r.isDisabled,
      isInMaintenance: false,
    };
  }

  private buildJson(project: EmulatedProject, b: EmulatedBuild): unknown {
    const repo = project.repositories.find((r) => r.id === b.repositoryId);
    return {
      id: b.id,
      buildNumber: b.buildNumber,
      status: b.status,
      ...(b.result ? { result: b.result } : {}),
      queueTime: b.queueTime,
      ...(b.startTime ? { startTime: b.startTime } : {}),
      ...(b.finishTime ? { finishTime: b.finishTime } : {}),
      url: `${this.baseUrl}/${this.estate.organization}/${project.id}/_apis/build/Builds/${b.id}`,
      definition: {
        id: b.definition.id,
        name: b.definition.name,
        path: '\\',
        type: 'build',
        queueStatus: 'enabled',
      },
      project: { id: project.id, name: project.name },
      sourceBranch: b.sourceBranch,
      sourceVersion: b.sourceVersion,
      priority: 'normal',
      reason: 'individualCI',
      requestedFor: b.requestedFor,
      requestedBy: {
        displayName: 'Microsoft.VisualStudio.Services.TFS',
        uniqueName: '00000002-0000-8888-8000-000000000000@2c895908-04e0-4952-89fd-54b0046d6288',
      },
      repository: { id: b.repositoryId, type: 'TfsGit', name: repo?.name },
    };
  }
}

/** Starts the Azure DevOps look-alike on HTTPS (loopback, a free port). */
export async function startDevOpsEmulator(options: DevOpsEmulatorOptions = {}): Promise<DevOpsEmulator> {
  const estate = generateDevOpsEstate(options);
  const core = new DevOpsCore(estate, options);
  const { key, cert } = await selfSignedCertificate('TopDeck Azure DevOps emulator');
  const server = https.createServer({ key, cert, keepAlive: true }, (req, res) => void core.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('Azure DevOps emulator: no TCP address');
  core.baseUrl = `https://127.0.0.1:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: core.baseUrl,
    organization: estate.organization,
    caPem: cert,
    estate,
    setMode: (mode) => {
      core.mode = mode;
    },
    addBuilds: (project, count) => core.addBuilds(project, count),
    requestLog: () => [...core.log],
    resetLog: () => {
      core.log = [];
    },
    maxCallsInWindow: (windowMs) => core.maxCallsInWindow(windowMs),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
