/**
 * The HTTPS Azure Resource Manager look-alike ("demo emulator").
 *
 * Serves a generated estate (see estate.ts) on the routes the discoverers use,
 * with ARM's headers, error bodies, paging and throttling behaviour, so the
 * real Azure SDK clients run against it unchanged.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { selfSignedCertificate } from './selfSignedCertificate';
import {
  generateEstate,
  type EmulatedResourceGroup,
  type EmulatedSubscription,
  type EmulatedVm,
  type Estate,
} from './estate';
import { mixSeed, Prng } from './prng';
import { EstateChanges } from './estateChanges';
import { ESTATE_CHANGES_PATH, serveEstateChange } from './estateChangeRoute';
import {
  matchProviderRoute,
  serveProviderRoute,
  SubscriptionResources,
  type ProviderRoute,
  type ProviderRouteContext,
} from './providerRoutes';
import type {
  ArmEmulator,
  ArmEmulatorOptions,
  EmulatorStats,
  FaultRule,
  RequestLogEntry,
  UnregisteredProvider,
} from './types';

const REQUEST_LOG_LIMIT = 50_000;
const READS_PER_WINDOW = 12_000;
const READS_WINDOW_MS = 60_000;

const KNOWN_PROVIDERS: readonly string[] = [
  'Microsoft.Compute',
  'Microsoft.Network',
  'Microsoft.Storage',
  'Microsoft.Web',
  'Microsoft.KeyVault',
  'Microsoft.AppConfiguration',
  'Microsoft.Insights',
  'Microsoft.OperationalInsights',
  'Microsoft.Resources',
  'Microsoft.Sql',
  'Microsoft.Cache',
  'Microsoft.ContainerService',
  'Microsoft.DocumentDB',
  'Microsoft.ServiceBus',
  'Microsoft.ManagedIdentity',
  'Microsoft.ResourceGraph',
];

const LOCATION_DISPLAY: Readonly<Record<string, string>> = {
  eastus: 'East US',
  westeurope: 'West Europe',
  northeurope: 'North Europe',
  westus2: 'West US 2',
  uksouth: 'UK South',
};

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** destroy the socket instead of answering */
  reset?: boolean;
}

type RouteName =
  | 'subscriptions.list'
  | 'subscriptions.get'
  | 'providers.list'
  | 'providers.get'
  | 'resourceGroups.list'
  | 'resourceGroups.get'
  | 'virtualMachines.listAll'
  | 'virtualMachines.list'
  | 'virtualMachines.get'
  | 'virtualMachines.instanceView'
  | 'virtualMachineSizes.list'
  | 'unknown'
  | ProviderRoute['name'];

interface RouteMatch {
  name: RouteName;
  subscriptionId?: string;
  resourceGroup?: string;
  vmName?: string;
  namespace?: string;
  location?: string;
  /** a provider module's route (every type other than VMs, the generic list, Resource Graph) */
  provider?: ProviderRoute;
}

interface ActiveRule {
  rule: FaultRule;
  regex: RegExp;
  remaining: number;
}

interface SubscriptionIndex {
  sub: EmulatedSubscription;
  rgs: Map<string, EmulatedResourceGroup>;
  vmsByRg?: Map<string, EmulatedVm[]>;
  vmsByKey?: Map<string, EmulatedVm>;
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

/** Case-insensitive route table (ARM's routing ignores case). */
function matchRoute(segments: readonly string[]): RouteMatch {
  const s = segments.map((x) => x.toLowerCase());
  const n = s.length;
  if (n === 0 || s[0] !== 'subscriptions') return { name: 'unknown' };
  if (n === 1) return { name: 'subscriptions.list' };
  const subscriptionId = segments[1];
  if (n === 2) return { name: 'subscriptions.get', subscriptionId };
  if (s[2] === 'providers') {
    if (n === 3) return { name: 'providers.list', subscriptionId };
    if (n === 4) return { name: 'providers.get', subscriptionId, namespace: segments[3] };
    if (s[3] === 'microsoft.compute') {
      if (n === 5 && s[4] === 'virtualmachines') return { name: 'virtualMachines.listAll', subscriptionId };
      if (n === 7 && s[4] === 'locations' && s[6] === 'vmsizes') {
        return { name: 'virtualMachineSizes.list', subscriptionId, location: segments[5] };
      }
    }
    return { name: 'unknown', subscriptionId, namespace: segments[3] };
  }
  if (s[2] === 'resourcegroups') {
    if (n === 3) return { name: 'resourceGroups.list', subscriptionId };
    const resourceGroup = segments[3];
    if (n === 4) return { name: 'resourceGroups.get', subscriptionId, resourceGroup };
    if (s[4] === 'providers' && s[5] === 'microsoft.compute' && s[6] === 'virtualmachines') {
      if (n === 7) return { name: 'virtualMachines.list', subscriptionId, resourceGroup };
      if (n === 8) return { name: 'virtualMachines.get', subscriptionId, resourceGroup, vmName: segments[7] };
      if (n === 9 && s[8] === 'instanceview') {
        return { name: 'virtualMachines.instanceView', subscriptionId, resourceGroup, vmName: segments[7] };
      }
    }
    return { name: 'unknown', subscriptionId, resourceGroup, namespace: segments[5] };
  }
  return { name: 'unknown', subscriptionId };
}

function encodeSkipToken(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

function decodeSkipToken(token: string): number | undefined {
  const m = /^offset:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

function defaultErrorCode(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'InvalidAuthenticationToken';
    case 403:
      return 'AuthorizationFailed';
    case 404:
      return 'ResourceNotFound';
    case 409:
      return 'Conflict';
    case 429:
      return 'TooManyRequests';
    case 500:
      return 'InternalServerError';
    case 502:
      return 'BadGateway';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'GatewayTimeout';
    default:
      return `Http${status}`;
  }
}

function readAction(route: RouteMatch): string {
  switch (route.name) {
    case 'virtualMachines.listAll':
    case 'virtualMachines.list':
    case 'virtualMachines.get':
      return 'Microsoft.Compute/virtualMachines/read';
    case 'virtualMachines.instanceView':
      return 'Microsoft.Compute/virtualMachines/instanceView/read';
    case 'virtualMachineSizes.list':
      return 'Microsoft.Compute/locations/vmSizes/read';
    case 'resourceGroups.list':
    case 'resourceGroups.get':
      return 'Microsoft.Resources/subscriptions/resourceGroups/read';
    case 'providers.list':
    case 'providers.get':
      return 'Microsoft.Resources/subscriptions/providers/read';
    default:
      return 'Microsoft.Resources/subscriptions/read';
  }
}

function defaultErrorMessage(code: string, route: RouteMatch, pathname: string, trackingId: string): string {
  const scope = route.subscriptionId
    ? `/subscriptions/${route.subscriptionId}${route.resourceGroup ? `/resourceGroups/${route.resourceGroup}` : ''}`
    : '/';
  switch (code) {
    case 'AuthorizationFailed':
      return `The client 'topdeck-scanner' with object id '00000000-0000-0000-0000-00000000e001' does not have authorization to perform action '${readAction(route)}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`;
    case 'TooManyRequests':
      return 'The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, refer to - https://aka.ms/armthrottling';
    case 'InternalServerError':
      return `Encountered internal server error. Diagnostic information: timestamp '${new Date().toISOString()}', tracking id '${trackingId}', request correlation id '${trackingId}'.`;
    case 'ServiceUnavailable':
      return 'The server is currently unable to handle the request. Please retry the request.';
    case 'GatewayTimeout':
      return `The gateway did not receive a response from 'Microsoft.Compute' within the specified time period.`;
    case 'InvalidAuthenticationToken':
      return 'The access token is invalid.';
    case 'ResourceNotFound':
      return `The Resource '${pathname}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`;
    default:
      return `Injected fault ${code} for '${pathname}'.`;
  }
}

function compileRule(rule: FaultRule): ActiveRule {
  if (!(rule.path instanceof RegExp)) throw new TypeError('FaultRule.path must be a RegExp');
  if (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599) {
    if (!(rule.reset && rule.status === 0))
      throw new RangeError(`FaultRule.status ${rule.status} is not an HTTP status`);
  }
  if (rule.times !== undefined && !(rule.times >= 0)) throw new RangeError('FaultRule.times must be >= 0');
  // always case-insensitive; never stateful (no g/y, so test() has no lastIndex memory)
  const flags = [...new Set((rule.path.flags + 'i').replace(/[gy]/g, ''))].join('');
  return { rule: { ...rule }, regex: new RegExp(rule.path.source, flags), remaining: rule.times ?? Infinity };
}

function checkRate(name: string, value: number | undefined): number {
  const v = value ?? 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1 (got ${String(value)})`);
  return v;
}

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return net.isIPv6(host) ? `[${host}]` : host;
}

class EmulatorCore {
  endpoint = '';
  private readonly pageSize: number;
  private readonly latencyMs: number;
  private readonly throttleRate: number;
  private readonly errorRate: number;
  private readonly retryAfterSeconds: number;
  private readonly rng: Prng;
  private readonly subs = new Map<string, SubscriptionIndex>();
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
    options: ArmEmulatorOptions,
  ) {
    this.pageSize = Math.max(1, Math.floor(options.pageSize ?? 100));
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.throttleRate = checkRate('throttleRate', options.throttleRate);
    this.errorRate = checkRate('errorRate', options.errorRate);
    this.retryAfterSeconds = Math.max(0, options.retryAfterSeconds ?? 1);
    this.rng = new Prng(mixSeed(estate.seed, 0xfa017));
    for (const sub of estate.subscriptions) {
      this.subs.set(sub.subscriptionId.toLowerCase(), {
        sub,
        rgs: new Map(sub.resourceGroups.map((rg) => [rg.name.toLowerCase(), rg])),
      });
    }
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
      route = segments ? matchRoute(segments) : { name: 'unknown' };
      const provider =
        segments && route.name === 'unknown' ? matchProviderRoute(segments, method) : undefined;
      if (provider) {
        const typed =
          'type' in provider ? `${provider.type}.${provider.name.split('.')[1] ?? ''}` : undefined;
        route = { ...route, name: (typed ?? provider.name) as RouteName, provider };
      }
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
    if (route.subscriptionId && this.subs.has(route.subscriptionId.toLowerCase())) {
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
    const page = offset === undefined ? undefined : Math.floor(offset / this.pageSize) + 1;

    // fault rules first, in the order they were added
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (!active.regex.test(pathname)) continue;
      if (rule.page !== undefined && rule.page !== page) continue;
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
        rule.message ?? defaultErrorMessage(code, route, pathname, requestId),
        headers,
      );
    }

    if (this.throttleRate > 0 && this.rng.chance(this.throttleRate)) {
      this.counters.throttled++;
      return armError(
        429,
        'TooManyRequests',
        defaultErrorMessage('TooManyRequests', route, pathname, requestId),
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
          defaultErrorMessage('ServiceUnavailable', route, pathname, requestId),
          {
            'retry-after': String(Math.ceil(this.retryAfterSeconds)),
          },
        );
      }
      return armError(
        500,
        'InternalServerError',
        defaultErrorMessage('InternalServerError', route, pathname, requestId),
      );
    }

    if (route.provider && (method === 'GET' || method === 'POST')) {
      const needsPost = [
        'resourceGraph.query',
        'sites.listApplicationSettings',
        'sites.listConnectionStrings',
      ].includes(route.provider.name);
      if (needsPost === (method === 'POST')) {
        return serveProviderRoute(route.provider, this.providerContext(), {
          pathname,
          apiVersion,
          offset,
          query,
          body: requestBody,
        });
      }
    }
    if (method !== 'GET') {
      return armError(
        405,
        'MethodNotAllowed',
        `The requested resource does not support http method '${method}'. The ARM emulator serves reads only.`,
      );
    }
    return this.dispatch(route, pathname, apiVersion, statusOnly, offset, query);
  }

  private dispatch(
    route: RouteMatch,
    pathname: string,
    apiVersion: string,
    statusOnly: boolean,
    offset: number | undefined,
    query: Map<string, string>,
  ): Reply {
    if (route.name === 'subscriptions.list') {
      const value = this.estate.subscriptions.map((s) => subscriptionJson(s));
      return { status: 200, body: { value, count: { type: 'Total', value: value.length } } };
    }
    if (route.subscriptionId === undefined) {
      return armError(
        404,
        'InvalidResourceType',
        `The resource type could not be found for the path '${pathname}' and api version '${apiVersion}'.`,
      );
    }
    const index = this.subs.get(route.subscriptionId.toLowerCase());
    if (!index) {
      return armError(
        404,
        'SubscriptionNotFound',
        `The subscription '${route.subscriptionId}' could not be found.`,
      );
    }
    const { sub } = index;
    const computeUnregistered = this.isUnregistered(sub.subscriptionId, 'Microsoft.Compute');
    const missingRegistration = (): Reply =>
      armError(
        409,
        'MissingSubscriptionRegistration',
        "The subscription is not registered to use namespace 'Microsoft.Compute'. See https://aka.ms/rps-not-found for how to register subscriptions.",
      );

    switch (route.name) {
      case 'subscriptions.get':
        return { status: 200, body: subscriptionJson(sub) };
      case 'providers.list':
        return {
          status: 200,
          body: { value: KNOWN_PROVIDERS.map((ns) => this.providerJson(sub, ns)) },
        };
      case 'providers.get': {
        const requested = route.namespace ?? '';
        const known = KNOWN_PROVIDERS.find((ns) => ns.toLowerCase() === requested.toLowerCase());
        return { status: 200, body: this.providerJson(sub, known ?? requested) };
      }
      case 'resourceGroups.list':
        return { status: 200, body: { value: sub.resourceGroups.map((rg) => resourceGroupJson(rg)) } };
      case 'resourceGroups.get': {
        const rg = index.rgs.get((route.resourceGroup ?? '').toLowerCase());
        return rg ? { status: 200, body: resourceGroupJson(rg) } : rgNotFound(route.resourceGroup ?? '');
      }
      case 'virtualMachines.listAll':
        if (computeUnregistered) return missingRegistration();
        return this.page(sub.vms, pathname, apiVersion, statusOnly, offset);
      case 'virtualMachines.list': {
        if (computeUnregistered) return missingRegistration();
        const rgKey = (route.resourceGroup ?? '').toLowerCase();
        if (!index.rgs.has(rgKey)) return rgNotFound(route.resourceGroup ?? '');
        return this.page(vmsInRg(index, rgKey), pathname, apiVersion, statusOnly, offset);
      }
      case 'virtualMachines.get':
      case 'virtualMachines.instanceView': {
        if (computeUnregistered) return missingRegistration();
        const rgKey = (route.resourceGroup ?? '').toLowerCase();
        if (!index.rgs.has(rgKey)) return rgNotFound(route.resourceGroup ?? '');
        const vm = vmByKey(index, rgKey, (route.vmName ?? '').toLowerCase());
        if (!vm) {
          return armError(
            404,
            'ResourceNotFound',
            `The Resource 'Microsoft.Compute/virtualMachines/${route.vmName ?? ''}' under resource group '${route.resourceGroup ?? ''}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
          );
        }
        if (route.name === 'virtualMachines.instanceView') return { status: 200, body: vm.instanceView };
        const body = vm.body;
        if ((query.get('$expand') ?? '').toLowerCase().split(',').includes('instanceview')) {
          body.properties.instanceView = vm.instanceView;
        }
        return { status: 200, body };
      }
      case 'virtualMachineSizes.list':
        if (computeUnregistered) return missingRegistration();
        return { status: 200, body: { value: this.estate.vmSizes.map((s) => ({ ...s })) } };
      default: {
        const ns = route.namespace;
        return armError(
          404,
          'InvalidResourceType',
          ns
            ? `The resource type could not be found in the namespace '${ns}' for api version '${apiVersion}' (path '${pathname}').`
            : `The resource type could not be found for the path '${pathname}' and api version '${apiVersion}'.`,
        );
      }
    }
  }

  private providerContext(): ProviderRouteContext {
    return {
      subscription: (id) => this.resourceIndex.get(id.toLowerCase()),
      subscriptions: () => [...this.resourceIndex.values()],
      page: (values, pathname, apiVersion, offset, extraQuery) => {
        if (offset === undefined)
          return armError(
            400,
            'InvalidSkipToken',
            'The $skiptoken parameter is not valid for this list operation.',
          );
        const end = offset + this.pageSize;
        const body: { value: unknown[]; nextLink?: string } = { value: values.slice(offset, end) };
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
    };
  }

  private page(
    vms: readonly EmulatedVm[],
    pathname: string,
    apiVersion: string,
    statusOnly: boolean,
    offset: number | undefined,
  ): Reply {
    if (offset === undefined) {
      return armError(
        400,
        'InvalidSkipToken',
        'The $skiptoken parameter is not valid for this list operation.',
      );
    }
    const end = offset + this.pageSize;
    const value = vms.slice(offset, end).map((vm) => (statusOnly ? vm.statusOnlyBody : this.fullBody(vm)));
    const body: { value: unknown[]; nextLink?: string } = { value };
    if (end < vms.length) {
      const params = [`api-version=${encodeURIComponent(apiVersion)}`];
      if (statusOnly) params.push('statusOnly=true');
      params.push(`$skiptoken=${encodeSkipToken(end)}`);
      body.nextLink = `${this.endpoint}${pathname}?${params.join('&')}`;
    }
    return { status: 200, body };
  }

  private providerJson(sub: EmulatedSubscription, namespace: string): unknown {
    const registered = !this.isUnregistered(sub.subscriptionId, namespace);
    const isCompute = namespace.toLowerCase() === 'microsoft.compute';
    return {
      id: `/subscriptions/${sub.subscriptionId}/providers/${namespace}`,
      namespace,
      registrationState: registered ? 'Registered' : 'NotRegistered',
      registrationPolicy: 'RegistrationRequired',
      resourceTypes: isCompute
        ? [
            {
              resourceType: 'virtualMachines',
              locations: this.estate.locations.map((l) => LOCATION_DISPLAY[l] ?? l),
              apiVersions: ['2024-07-01', '2024-03-01', '2023-09-01'],
              capabilities:
                'CrossResourceGroupResourceMove, CrossSubscriptionResourceMove, SupportsTags, SupportsLocation',
            },
            {
              resourceType: 'locations/vmSizes',
              locations: [],
              apiVersions: ['2024-07-01', '2024-03-01', '2023-09-01'],
              capabilities: 'None',
            },
          ]
        : [],
    };
  }
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function rgNotFound(name: string): Reply {
  return armError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}

function vmsInRg(index: SubscriptionIndex, rgKey: string): EmulatedVm[] {
  if (!index.vmsByRg) {
    const map = new Map<string, EmulatedVm[]>();
    for (const vm of index.sub.vms) {
      const key = vm.resourceGroup.toLowerCase();
      let list = map.get(key);
      if (!list) map.set(key, (list = []));
      list.push(vm);
    }
    index.vmsByRg = map;
  }
  return index.vmsByRg.get(rgKey) ?? [];
}

function vmByKey(index: SubscriptionIndex, rgKey: string, nameKey: string): EmulatedVm | undefined {
  if (!index.vmsByKey) {
    index.vmsByKey = new Map(
      index.sub.vms.map((vm) => [`${vm.resourceGroup.toLowerCase()}/${vm.name.toLowerCase()}`, vm]),
    );
  }
  return index.vmsByKey.get(`${rgKey}/${nameKey}`);
}

function subscriptionJson(sub: EmulatedSubscription): unknown {
  return {
    id: `/subscriptions/${sub.subscriptionId}`,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub.subscriptionId,
    tenantId: sub.tenantId,
    displayName: sub.displayName,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: sub.quotaId,
      spendingLimit: 'Off',
    },
  };
}

function resourceGroupJson(rg: EmulatedResourceGroup): unknown {
  return {
    id: rg.id,
    name: rg.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: rg.location,
    properties: { provisioningState: 'Succeeded' },
  };
}

/** Starts the emulator on HTTPS; resolves once it accepts connections. */
export async function startArmEmulator(options: ArmEmulatorOptions = {}): Promise<ArmEmulator> {
  const host = options.host ?? '127.0.0.1';
  const estate = generateEstate({
    seed: options.seed,
    subscriptionCount: options.subscriptionCount,
    subscriptionIds: options.subscriptionIds,
    vmsPerSubscription: options.vmsPerSubscription,
    connected: options.connected,
  });
  const core = new EmulatorCore(estate, options);
  const { key, cert } = await selfSignedCertificate('TopDeck ARM emulator', { host });

  const server = https.createServer({ key, cert, keepAlive: true }, (req, res) => core.handle(req, res));
  server.keepAliveTimeout = 30_000;
  // Every socket, from the TCP accept on, to destroy at close: the server's closeAllConnections()
  // sees only connections that got as far as HTTP, and one still in its TLS handshake would hold
  // close() for the keep-alive timeout.
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('ARM emulator: no TCP address');
  const endpoint = `https://${endpointHost(host)}:${address.port}`;
  core.endpoint = endpoint;

  let tempDir: string;
  try {
    tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-arm-emulator-'));
  } catch (err) {
    server.close();
    throw err;
  }
  const caFile = path.join(tempDir, 'ca.pem');
  fs.writeFileSync(caFile, cert);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const t of core.timers) clearTimeout(t);
      core.timers.clear();
      server.close(() => {
        fs.rmSync(tempDir, { recursive: true, force: true });
        resolve();
      });
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };

  return {
    endpoint,
    caPem: cert,
    caFile,
    estate,
    stats: () => core.stats(),
    resetStats: () => core.resetStats(),
    addFault: (rule) => core.addFault(rule),
    clearFaults: () => core.clearFaults(),
    driftVm: (name, rewrite) => core.driftVm(name, rewrite),
    driftResources: (type, rewrite) => core.driftResources(type, rewrite),
    requestLog: () => core.requestLog(),
    changeEstate: (change) => core.changes.apply(change),
    onResourceEvents: (sink) => core.changes.subscribe(sink),
    close,
  };
}
