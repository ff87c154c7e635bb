import type { Agent } from 'node:http';
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient,
} from '@azure/core-rest-pipeline';
import type { TokenCredential } from '@azure/identity';
import { parseRetryAfterMs } from '../errors/classifyError';
import type { PolicyStack, RateBudget } from '../resilience';
import { countAttempt } from '../telemetry/callCounts';
import { devOpsHttpError, type DevOpsScope } from './devOpsHttpError';

/** Azure DevOps' application id: the resource an Entra token must be issued for. */
export const AZURE_DEVOPS_RESOURCE = '499b84ac-1321-427f-aa17-267ca6975798';
export const DEVOPS_API_VERSION = '7.1';

/** Pause after a 429 that names no Retry-After, in milliseconds. */
const THROTTLE_PAUSE_MS = 5_000;

export type DevOpsAuth = { kind: 'pat'; pat: string } | { kind: 'entra'; credential: TokenCredential };

export interface DevOpsClientOptions {
  baseUrl: string;
  organization: string;
  auth: DevOpsAuth;
  /** retry → breaker → budget, shared by every call to this organisation. */
  stack: PolicyStack;
  /** The same budget the stack takes from: paused on 429, slowed by X-RateLimit-Remaining. */
  budget: RateBudget;
  /** Trust for look-alikes with self-signed certificates. */
  agent?: Agent;
  httpClient?: HttpClient;
  /** Per attempt, in milliseconds. */
  timeoutMs?: number;
}

export interface DevOpsRequest {
  /** Below the organisation: `<project>/_apis/git/repositories`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  project?: string;
  scope: DevOpsScope;
  what: string;
}

export interface DevOpsResponse<T> {
  body: T;
  /** The `x-ms-continuationtoken` header: another page exists. */
  continuationToken?: string;
}

export interface DevOpsClientStats {
  /** HTTP attempts made, retries included. */
  calls: number;
  throttled: number;
  retries: number;
}

/**
 * The Azure DevOps REST client: plain GETs over the Azure SDK's HTTP client (no SDK pipeline, so
 * the policy stack is the one retry layer), each attempt through the shared budget and breaker.
 */
export class DevOpsClient {
  private readonly http: HttpClient;
  private readonly counters: DevOpsClientStats = { calls: 0, throttled: 0, retries: 0 };

  constructor(private readonly options: DevOpsClientOptions) {
    this.http = options.httpClient ?? createDefaultHttpClient();
  }

  get organization(): string {
    return this.options.organization;
  }

  stats(): DevOpsClientStats {
    return { ...this.counters };
  }

  async get<T>(request: DevOpsRequest): Promise<DevOpsResponse<T>> {
    const { baseUrl, organization, budget } = this.options;
    const url = new URL(`${baseUrl}/${encodeURIComponent(organization)}/${request.path}`);
    for (const [k, v] of Object.entries(request.query ?? {})) {
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    }
    url.searchParams.set('api-version', DEVOPS_API_VERSION);
    const target = {
      organization,
      project: request.project,
      scope: request.scope,
      auth: this.options.auth.kind,
      what: request.what,
    };
    return this.options.stack.execute(async ({ attempt, signal }) => {
      if (attempt > 1) this.counters.retries += 1;
      this.counters.calls += 1;
      const request = createPipelineRequest({
        url: url.toString(),
        method: 'GET',
        headers: createHttpHeaders({
          accept: 'application/json',
          authorization: await this.authorization(),
        }),
        timeout: this.options.timeoutMs ?? 30_000,
        abortSignal: signal,
      });
      // Not an option of createPipelineRequest: set on the request itself.
      if (this.options.agent) request.agent = this.options.agent;
      let response;
      try {
        response = await this.http.sendRequest(request);
      } catch (e) {
        countAttempt(attempt, 0);
        throw e;
      }
      // The page's operation metrics count Azure DevOps calls like Resource Manager ones.
      countAttempt(attempt, response.status);
      const remaining = Number(response.headers.get('x-ratelimit-remaining'));
      if (response.headers.get('x-ratelimit-remaining') !== undefined && Number.isFinite(remaining))
        budget.observeRemaining(remaining);
      const text = response.bodyAsText ?? '';
      if (response.status === 429) {
        this.counters.throttled += 1;
        // Every worker waits, not just this one: the organisation's budget is shared.
        await budget.pause(parseRetryAfterMs(response.headers) ?? THROTTLE_PAUSE_MS);
      }
      if (response.status !== 200) throw devOpsHttpError(response.status, response.headers, text, target);
      let body: T;
      try {
        body = JSON.parse(text) as T;
      } catch {
        // A 200 with HTML is the sign-in page some bad PATs get.
        throw devOpsHttpError(203, response.headers, text, target);
      }
      const continuationToken = response.headers.get('x-ms-continuationtoken') || undefined;
      return { body, continuationToken };
      // A signal of its own per call: the HTTP client listens on it, and a signal shared by every
      // call in flight would collect listeners.
    }, new AbortController().signal);
  }

  /** Every item of a list, following `x-ms-continuationtoken` to the end (small lists only). */
  async listAll<T>(request: DevOpsRequest, maxPages = 1000): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const { body, continuationToken } = await this.get<{ value?: T[] }>({
        ...request,
        query: { ...request.query, continuationToken: token },
      });
      out.push(...(body.value ?? []));
      token = continuationToken;
      if (!token) return out;
    }
    throw new Error(`${request.what}: more than ${maxPages} pages; refusing to loop forever`);
  }

  private async authorization(): Promise<string> {
    const auth = this.options.auth;
    if (auth.kind === 'pat') return `Basic ${Buffer.from(`:${auth.pat}`).toString('base64')}`;
    const token = await auth.credential.getToken(`${AZURE_DEVOPS_RESOURCE}/.default`);
    if (!token) throw new Error('no Entra token for Azure DevOps: the credential returned none');
    return `Bearer ${token.token}`;
  }
}
