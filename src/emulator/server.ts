/**
 * The request handling of the Azure Resource Manager look-alike ("demo emulator"): ARM's headers,
 * error bodies, paging, throttling and fault injection around the routes of the registered
 * providers (providers/emulatorProviders.ts), so the real Azure SDK clients run against it
 * unchanged. startArmEmulator.ts serves it on HTTPS.
 */
import type { KubernetesLookAlike } from './kubernetes/startKubernetesLookAlike';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProviderRouteContext } from './EmulatorProvider';
import type { Estate } from './estate';
import {
  armError,
  decodeSkipToken,
  describePath,
  encodeSkipToken,
  graphRequestPage,
  headerValue,
  matchProviders,
  splitPath,
  type Reply,
  type RouteMatch,
} from './armRequest';
import { FaultInjector } from './FaultInjector';
import { EMULATOR_PROVIDERS } from './providers/emulatorProviders';
import type { EmulatedVm } from './providers/EmulatedVm';
import { RequestLog } from './RequestLog';
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

const READS_PER_WINDOW = 12_000;
const READS_WINDOW_MS = 60_000;

export class EmulatorCore {
  endpoint = '';
  kubernetes?: KubernetesLookAlike;
  private readonly pageSize: number;
  /** State a provider keeps per emulator (Resource Graph's per-caller quota), by key. */
  private readonly providerState = new Map<string, unknown>();
  private readonly latencyMs: number;
  private readonly faults: FaultInjector;
  private readonly unregistered: Array<{ subscriptionId?: string; namespace: string }>;
  private readonly denyActions: string[];
  private readonly resourceIndex = new Map<string, SubscriptionResources>();
  private readonly readWindows = new Map<string, { start: number; used: number }>();
  readonly timers = new Set<NodeJS.Timeout>();
  private counters: EmulatorStats = EmulatorCore.emptyStats();
  private readonly log = new RequestLog();
  readonly changes: EstateChanges;

  constructor(
    readonly estate: Estate,
    private readonly options: ArmEmulatorOptions,
  ) {
    this.pageSize = Math.max(1, Math.floor(options.pageSize ?? 100));
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.faults = new FaultInjector(options, estate.seed);
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
    this.log.clear();
  }

  addFault(rule: FaultRule): void {
    this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
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
    return this.log.entries();
  }

  private record(entry: RequestLogEntry): void {
    this.counters.byStatus[String(entry.status)] = (this.counters.byStatus[String(entry.status)] ?? 0) + 1;
    this.log.record(entry);
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

    const fault = this.faults.inject({ pathname, page, body: requestBody, statusOnly, route, requestId });
    if (fault) {
      this.counters[fault.counter]++;
      return fault.reply;
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
