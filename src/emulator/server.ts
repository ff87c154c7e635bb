/**
 * The request handling of the Azure Resource Manager look-alike ("demo emulator"): ARM's headers,
 * error bodies, paging, throttling and fault injection around the routes of the registered
 * providers (providers/emulatorProviders.ts), so the real Azure SDK clients run against it
 * unchanged. startArmEmulator.ts serves it on HTTPS.
 */
import type { KubernetesLookAlike } from './kubernetes/startKubernetesLookAlike';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MatchedRoute, ProviderRouteContext } from './EmulatorProvider';
import type { Estate } from './estate';
import {
  compileRule,
  defaultErrorCode,
  defaultErrorMessage,
  type ActiveRule,
  type FaultScope,
} from './faultRule';
import { mixSeed, Prng } from './prng';
import { matchTypeRoute } from './providerRoutes';
import { EMULATOR_PROVIDERS } from './providers/emulatorProviders';
import type { EmulatedVm } from './providers/EmulatedVm';
import { SubscriptionResources } from './SubscriptionResources';
import { EstateChanges } from './estateChanges';
import { ESTATE_CHANGES_PATH, serveEstateChange } from './estateChangeRoute';
import type {
  ArmEmulatorOptions,
  EmulatorStats,
  FaultRule,
  RequestLogEntry,
  UnregisteredProvider,
} from './types';

const REQUEST_LOG_LIMIT = 50_000;
const READS_PER_WINDOW = 12_000;
const READS_WINDOW_MS = 60_000;

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** destroy the socket instead of answering */
  reset?: boolean;
}

/** Where a request points, read from its path alone (for error scopes and rate-limit headers). */
interface RouteMatch {
  /** the route it is counted under; `unknown` when no provider serves the path */
  name: string;
  subscriptionId?: string;
  resourceGroup?: string;
  namespace?: string;
  /** the provider route that serves it, when one does */
  route?: MatchedRoute;
}

function armError(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: { error: { code, message } }, headers };
}

function splitPath(pathname: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    try {
      out.push(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
  }
  return out;
}

/** The scope a path names: `/subscriptions/{s}[/resourceGroups/{rg}][/providers/{ns}...]`. */
function describePath(segments: readonly string[]): RouteMatch {
  const s = segments.map((x) => x.toLowerCase());
  if (s.length === 0 || s[0] !== 'subscriptions' || s.length === 1) return { name: 'unknown' };
  const subscriptionId = segments[1];
  if (s[2] === 'providers') return { name: 'unknown', subscriptionId, namespace: segments[3] };
  if (s[2] === 'resourcegroups' && s.length > 3)
    return { name: 'unknown', subscriptionId, resourceGroup: segments[3], namespace: segments[5] };
  return { name: 'unknown', subscriptionId };
}

/** The first registered provider's route for the path, else the generic type routes'. */
function matchProviders(segments: readonly string[], method: string): MatchedRoute | undefined {
  const lower = segments.map((x) => x.toLowerCase());
  for (const provider of EMULATOR_PROVIDERS) {
    const route = provider.match?.(segments, lower, method);
    if (route) return route;
  }
  return matchTypeRoute(segments, lower);
}

function encodeSkipToken(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

/** The 1-based page of a Resource Graph query (its body's `options.$skipToken`); undefined for any other request. */
function graphRequestPage(body: unknown, graphPageSize: number | undefined): number | undefined {
  if (!body || typeof body !== 'object' || typeof (body as { query?: unknown }).query !== 'string')
    return undefined;
  const token = (body as { options?: { $skipToken?: unknown } }).options?.$skipToken;
  const offset = Number(/^offset:(\d+)$/.exec(String(token ?? ''))?.[1] ?? 0);
  return Math.floor(offset / Math.min(1000, Math.max(1, graphPageSize ?? 1000))) + 1;
}

function decodeSkipToken(token: string): number | undefined {
  const m = /^offset:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function faultScope(route: RouteMatch): FaultScope {
  return {
    subscriptionId: route.subscriptionId,
    resourceGroup: route.resourceGroup,
    action: route.route?.action ?? 'Microsoft.Resources/subscriptions/read',
  };
}

function checkRate(name: string, value: number | undefined): number {
  const v = value ?? 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1 (got ${String(value)})`);
  return v;
}

export class EmulatorCore {
  endpoint = '';
  kubernetes?: KubernetesLookAlike;
  private readonly pageSize: number;
  /** State a provider keeps per emulator (Resource Graph's per-caller quota), by key. */
  private readonly providerState = new Map<string, unknown>();
  private readonly latencyMs: number;
  private readonly throttleRate: number;
  private readonly errorRate: number;
  private readonly retryAfterSeconds: number;
  private readonly rng: Prng;
  private readonly unregistered: Array<{ subscriptionId?: string; namespace: string }>;
  private readonly denyActions: string[];
  private readonly resourceIndex = new Map<string, SubscriptionResources>();
  private rules: ActiveRule[] = [];
  private readonly readWindows = new Map<string, { start: number; used: number }>();
  readonly timers = new Set<NodeJS.Timeout>();
  private counters: EmulatorStats = EmulatorCore.emptyStats();
  private log: RequestLogEntry[] = [];
  private logNext = 0;
  readonly changes: EstateChanges;

  constructor(
    readonly estate: Estate,
    private readonly options: ArmEmulatorOptions,
  ) {
    this.pageSize = Math.max(1, Math.floor(options.pageSize ?? 100));
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.throttleRate = checkRate('throttleRate', options.throttleRate);
    this.errorRate = checkRate('errorRate', options.errorRate);
    this.retryAfterSeconds = Math.max(0, options.retryAfterSeconds ?? 1);
    this.rng = new Prng(mixSeed(estate.seed, 0xfa017));
    this.unregistered = [...(options.unregisteredProviders ?? []), ...estate.unregisteredProviders].map(
      (p: UnregisteredProvider) => (typeof p === 'string' ? { namespace: p } : p),
    );
    this.denyActions = (options.denyActions ?? []).map((a) => a.toLowerCase());
    for (const sub of estate.subscriptions)
      this.resourceIndex.set(sub.subscriptionId.toLowerCase(), new SubscriptionResources(sub));
    this.changes = new EstateChanges(estate, (sub) =>
      this.resourceIndex.set(sub.subscriptionId.toLowerCase(), new SubscriptionResources(sub)),
    );
  }

  private static emptyStats(): EmulatorStats {
    return { requests: 0, byRoute: {}, throttled: 0, faults: 0, errors: 0, byStatus: {} };
  }

  stats(): EmulatorStats {
    return {
      ...this.counters,
      byRoute: { ...this.counters.byRoute },
      byStatus: { ...this.counters.byStatus },
    };
  }

  resetStats(): void {
    this.counters = EmulatorCore.emptyStats();
    this.log = [];
    this.logNext = 0;
  }

  addFault(rule: FaultRule): void {
    this.rules.push(compileRule(rule));
  }

  clearFaults(): void {
    this.rules = [];
  }

  private drift?: { name: RegExp; rewrite: (body: Record<string, unknown>) => Record<string, unknown> };
  private resourceDrift?: {
    type: RegExp;
    rewrite: (body: Record<string, unknown>) => Record<string, unknown>;
  };

  /** Takes a resource out of the estate, without an event (deleted between two scans). */
  removeResource(id: string): boolean {
    const lower = id.toLowerCase();
    for (const sub of this.estate.subscriptions) {
      const kept = sub.resources.filter((r) => r.id.toLowerCase() !== lower);
      const vms = sub.vms.filter((vm) => vm.id.toLowerCase() !== lower);
      if (kept.length === sub.resources.length && vms.length === sub.vms.length) continue;
      sub.resources = kept;
      sub.vms = vms;
      this.resourceIndex.set(sub.subscriptionId.toLowerCase(), new SubscriptionResources(sub));
      return true;
    }
    return false;
  }

  driftResources(
    type: RegExp | undefined,
    rewrite?: (body: Record<string, unknown>) => Record<string, unknown>,
  ): void {
    this.resourceDrift = type && rewrite ? { type, rewrite } : undefined;
  }

  driftVm(
    name: RegExp | undefined,
    rewrite?: (body: Record<string, unknown>) => Record<string, unknown>,
  ): void {
    this.drift = name && rewrite ? { name, rewrite } : undefined;
  }

  private fullBody(vm: EmulatedVm): unknown {
    const body = vm.body;
    return this.drift?.name.test(vm.name)
      ? this.drift.rewrite(body as unknown as Record<string, unknown>)
      : body;
  }

  requestLog(): RequestLogEntry[] {
    if (this.log.length < REQUEST_LOG_LIMIT) return this.log.map((e) => ({ ...e }));
    return [...this.log.slice(this.logNext), ...this.log.slice(0, this.logNext)].map((e) => ({ ...e }));
  }

  private record(entry: RequestLogEntry): void {
    this.counters.byStatus[String(entry.status)] = (this.counters.byStatus[String(entry.status)] ?? 0) + 1;
    if (this.log.length < REQUEST_LOG_LIMIT) {
      this.log.push(entry);
    } else {
      this.log[this.logNext] = entry;
      this.logNext = (this.logNext + 1) % REQUEST_LOG_LIMIT;
    }
  }

  private isUnregistered(subscriptionId: string, namespace: string): boolean {
    const ns = namespace.toLowerCase();
    const sub = subscriptionId.toLowerCase();
    return this.unregistered.some(
      (u) =>
        u.namespace.toLowerCase() === ns &&
        (u.subscriptionId === undefined || u.subscriptionId.toLowerCase() === sub),
    );
  }

  private remainingReads(key: string): number {
    const now = Date.now();
    let w = this.readWindows.get(key);
    if (!w || now - w.start >= READS_WINDOW_MS) {
      w = { start: now, used: 0 };
      this.readWindows.set(key, w);
    }
    w.used++;
    return Math.max(0, READS_PER_WINDOW - w.used);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      this.handleRequest(req, res, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      this.handleRequest(req, res, body);
    });
  }

  private handleRequest(req: IncomingMessage, res: ServerResponse, requestBody: unknown): void {
    if ((req.url ?? '').split('?')[0] === ESTATE_CHANGES_PATH) {
      void serveEstateChange(this.changes, req, res, requestBody);
      return;
    }
    const at = Date.now();
    const requestId = randomUUID();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const search = q < 0 ? '' : rawUrl.slice(q);
    const method = req.method ?? 'GET';

    let reply: Reply;
    let route: RouteMatch = { name: 'unknown' };
    try {
      const segments = splitPath(pathname);
      const matched = segments ? matchProviders(segments, method) : undefined;
      route = segments ? describePath(segments) : { name: 'unknown' };
      if (matched) route = { ...route, name: matched.name, route: matched };
      this.counters.requests++;
      this.counters.byRoute[route.name] = (this.counters.byRoute[route.name] ?? 0) + 1;
      reply = this.compute(req, method, pathname, search, route, requestId, requestBody);
    } catch (err) {
      reply = armError(500, 'InternalServerError', `Emulator failure: ${(err as Error).message}`);
    }

    const headers: Record<string, string> = {
      'cache-control': 'no-cache',
      pragma: 'no-cache',
      expires: '-1',
      'x-content-type-options': 'nosniff',
      'x-ms-request-id': requestId,
      'x-ms-correlation-request-id': headerValue(req, 'x-ms-correlation-request-id') ?? requestId,
      'x-ms-routing-request-id': `LOCAL:${new Date(at).toISOString().replace(/[-:.]/g, '').slice(0, 15)}Z:${requestId}`,
      ...reply.headers,
    };
    const clientRequestId = headerValue(req, 'x-ms-client-request-id');
    if (clientRequestId) headers['x-ms-client-request-id'] = clientRequestId;
    if (route.subscriptionId && this.resourceIndex.has(route.subscriptionId.toLowerCase())) {
      headers['x-ms-ratelimit-remaining-subscription-reads'] ??= String(
        this.remainingReads(route.subscriptionId.toLowerCase()),
      );
    } else {
      headers['x-ms-ratelimit-remaining-tenant-reads'] ??= String(this.remainingReads('tenant'));
    }

    this.record({ at, method, path: pathname, query: search, status: reply.reset ? 0 : reply.status });

    const send = (): void => {
      if (res.destroyed || res.writableEnded) return;
      if (reply.reset) {
        req.socket.destroy();
        return;
      }
      const payload = reply.body === undefined ? '' : JSON.stringify(reply.body);
      if (payload) headers['content-type'] = 'application/json; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(payload));
      res.writeHead(reply.status, headers);
      res.end(payload);
    };
    if (this.latencyMs > 0) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        send();
      }, this.latencyMs);
      this.timers.add(timer);
    } else {
      send();
    }
  }

  private compute(
    req: IncomingMessage,
    method: string,
    pathname: string,
    search: string,
    route: RouteMatch,
    requestId: string,
    requestBody?: unknown,
  ): Reply {
    const auth = headerValue(req, 'authorization');
    if (!auth || !/^bearer\s+\S+/i.test(auth)) {
      return armError(
        401,
        'AuthenticationFailed',
        auth
          ? "Authentication failed. The 'Authorization' header is provided in an invalid format."
          : "Authentication failed. The 'Authorization' header is missing.",
        {
          'www-authenticate':
            'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token", error_description="The authentication failed because of missing \'Authorization\' header."',
        },
      );
    }

    const query = new Map<string, string>();
    for (const [k, v] of new URLSearchParams(search)) {
      if (!query.has(k.toLowerCase())) query.set(k.toLowerCase(), v);
    }
    const apiVersion = query.get('api-version');
    if (!apiVersion) {
      return armError(
        400,
        'MissingApiVersionParameter',
        'The api-version query parameter (?api-version=) is required for all requests.',
      );
    }
    const statusOnly = (query.get('statusonly') ?? '').toLowerCase() === 'true';
    const skipToken = query.get('$skiptoken');
    const offset = skipToken === undefined ? 0 : decodeSkipToken(skipToken);
    // A Resource Graph query carries its skip token in the POST body (resourceGraph.ts): its page
    // counts in Graph's page size.
    const graph = graphRequestPage(requestBody, this.options.graphPageSize);
    const page = graph ?? (offset === undefined ? undefined : Math.floor(offset / this.pageSize) + 1);

    // fault rules first, in the order they were added
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (!active.regex.test(pathname)) continue;
      if (rule.page !== undefined && rule.page !== page) continue;
      if (rule.body && !rule.body.test(JSON.stringify(requestBody ?? null))) continue;
      if (rule.statusOnly !== undefined && rule.statusOnly !== statusOnly) continue;
      active.remaining--;
      this.rules = this.rules.filter((r) => r.remaining > 0);
      this.counters.faults++;
      if (rule.reset) return { status: rule.status, reset: true };
      const code = rule.code ?? defaultErrorCode(rule.status);
      const headers: Record<string, string> = {};
      const retryAfter = rule.retryAfterSeconds ?? (rule.status === 429 ? this.retryAfterSeconds : undefined);
      if ((rule.status === 429 || rule.status === 503) && retryAfter !== undefined && retryAfter >= 0) {
        headers['retry-after'] = String(Math.ceil(retryAfter));
      }
      if (rule.status === 429) headers['x-ms-ratelimit-remaining-subscription-reads'] = '0';
      return armError(
        rule.status,
        code,
        rule.message ?? defaultErrorMessage(code, faultScope(route), pathname, requestId),
        headers,
      );
    }

    if (this.throttleRate > 0 && this.rng.chance(this.throttleRate)) {
      this.counters.throttled++;
      return armError(
        429,
        'TooManyRequests',
        defaultErrorMessage('TooManyRequests', faultScope(route), pathname, requestId),
        {
          'retry-after': String(Math.ceil(this.retryAfterSeconds)),
          'x-ms-ratelimit-remaining-subscription-reads': '0',
        },
      );
    }
    if (this.errorRate > 0 && this.rng.chance(this.errorRate)) {
      this.counters.errors++;
      if (this.rng.chance(0.5)) {
        return armError(
          503,
          'ServiceUnavailable',
          defaultErrorMessage('ServiceUnavailable', faultScope(route), pathname, requestId),
          {
            'retry-after': String(Math.ceil(this.retryAfterSeconds)),
          },
        );
      }
      return armError(
        500,
        'InternalServerError',
        defaultErrorMessage('InternalServerError', faultScope(route), pathname, requestId),
      );
    }

    // A cluster's credential answers from the Kubernetes look-alike (kubernetes/), which knows its server.
    const credential = this.kubernetes?.answerCredential(method, pathname);
    if (credential) return credential;
    if (route.route && route.route.method === method) {
      return route.route.serve(this.providerContext(), {
        pathname,
        apiVersion,
        offset,
        query,
        body: requestBody,
        caller: headerValue(req, 'authorization') ?? '',
      });
    }
    if (method !== 'GET') {
      return armError(
        405,
        'MethodNotAllowed',
        `The requested resource does not support http method '${method}'. The ARM emulator serves reads only.`,
      );
    }
    return this.unknownRoute(route, pathname, apiVersion);
  }

  /** No provider serves the path (or not with this method): ARM's 404 for the scope it names. */
  private unknownRoute(route: RouteMatch, pathname: string, apiVersion: string): Reply {
    if (route.subscriptionId === undefined) {
      return armError(
        404,
        'InvalidResourceType',
        `The resource type could not be found for the path '${pathname}' and api version '${apiVersion}'.`,
      );
    }
    if (!this.resourceIndex.has(route.subscriptionId.toLowerCase())) {
      return armError(
        404,
        'SubscriptionNotFound',
        `The subscription '${route.subscriptionId}' could not be found.`,
      );
    }
    const ns = route.namespace;
    return armError(
      404,
      'InvalidResourceType',
      ns
        ? `The resource type could not be found in the namespace '${ns}' for api version '${apiVersion}' (path '${pathname}').`
        : `The resource type could not be found for the path '${pathname}' and api version '${apiVersion}'.`,
    );
  }

  private providerContext(): ProviderRouteContext {
    return {
      subscription: (id) => this.resourceIndex.get(id.toLowerCase()),
      subscriptions: () => [...this.resourceIndex.values()],
      estate: this.estate,
      providers: EMULATOR_PROVIDERS,
      state: <T>(key: string, create: (options: ArmEmulatorOptions) => T): T => {
        if (!this.providerState.has(key)) this.providerState.set(key, create(this.options));
        return this.providerState.get(key) as T;
      },
      page: (values, pathname, apiVersion, offset, extraQuery, map) => {
        if (offset === undefined)
          return armError(
            400,
            'InvalidSkipToken',
            'The $skiptoken parameter is not valid for this list operation.',
          );
        const end = offset + this.pageSize;
        const slice = values.slice(offset, end);
        const body: { value: unknown[]; nextLink?: string } = { value: map ? slice.map(map) : slice };
        if (end < values.length) {
          const params = [
            `api-version=${encodeURIComponent(apiVersion)}`,
            ...extraQuery,
            `$skiptoken=${encodeSkipToken(end)}`,
          ];
          body.nextLink = `${this.endpoint}${pathname}?${params.join('&')}`;
        }
        return { status: 200, body };
      },
      isUnregistered: (sub, ns) => this.isUnregistered(sub, ns),
      denied: (action, scope) =>
        this.denyActions.includes(action.toLowerCase())
          ? armError(
              403,
              'AuthorizationFailed',
              `The client 'topdeck-scanner' with object id '00000000-0000-0000-0000-00000000e001' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
            )
          : undefined,
      error: (status, code, message) => armError(status, code, message),
      transform: (type, body) =>
        this.resourceDrift?.type.test(type) ? this.resourceDrift.rewrite(body) : body,
      vmBody: (vm) => this.fullBody(vm),
    };
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
