/**
 * The routes of every provider module other than the VM routes server.ts keeps: a type's list
 * (subscription-wide, per resource group, or under a parent), a GET by id, the generic resources
 * list (`$filter=resourceType eq '...'`), Resource Graph's summarize-by-type query, and the
 * App Service settings lists (POST). ARM's routing ignores case; so does this.
 */
import { genericBody, type EmulatedResource } from './EmulatedResource';
import type { EmulatedSubscription, EmulatedVm } from './estate';
import { networkRuleSetBody } from './providers/serviceBus';
import { appSettingsBody, connectionStringsBody, isSite } from './providers/web';

export type ProviderRoute =
  | { name: 'resources.list'; subscriptionId: string; resourceGroup?: string }
  | { name: 'resourceGraph.query' }
  | { name: 'type.list'; subscriptionId: string; resourceGroup?: string; type: string; parentId?: string }
  | { name: 'type.get'; subscriptionId: string; resourceGroup: string; type: string; id: string }
  | {
      name: 'sites.listApplicationSettings' | 'sites.listConnectionStrings';
      subscriptionId: string;
      resourceGroup: string;
      id: string;
    };

/** Types the emulated providers serve (a list of another type is an unknown route, 404). */
const KNOWN_TYPES = new Set(
  [
    'Microsoft.Compute/disks',
    'Microsoft.Compute/virtualMachineScaleSets',
    'Microsoft.Network/virtualNetworks',
    'Microsoft.Network/networkInterfaces',
    'Microsoft.Network/loadBalancers',
    'Microsoft.Network/networkSecurityGroups',
    'Microsoft.Network/publicIPAddresses',
    'Microsoft.Network/privateEndpoints',
    'Microsoft.Network/routeTables',
    'Microsoft.Network/applicationGateways',
    'Microsoft.Storage/storageAccounts',
    'Microsoft.KeyVault/vaults',
    'Microsoft.AppConfiguration/configurationStores',
    'Microsoft.Web/sites',
    'Microsoft.Web/serverfarms',
    'Microsoft.ContainerService/managedClusters',
    'Microsoft.Sql/servers',
    'Microsoft.Sql/servers/databases',
    'Microsoft.Cache/redis',
    'Microsoft.DocumentDB/databaseAccounts',
    'Microsoft.ServiceBus/namespaces',
    'Microsoft.Insights/components',
    'Microsoft.OperationalInsights/workspaces',
    'Microsoft.ManagedIdentity/userAssignedIdentities',
  ].map((t) => t.toLowerCase()),
);

export interface RouteReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a provider route needs from the server. */
export interface ProviderRouteContext {
  subscription(subscriptionId: string): SubscriptionResources | undefined;
  subscriptions(): SubscriptionResources[];
  /** a paged answer of `values` (Resource Manager's `{value, nextLink}`) */
  page(
    values: readonly unknown[],
    pathname: string,
    apiVersion: string,
    offset: number | undefined,
    extraQuery: string[],
  ): RouteReply;
  isUnregistered(subscriptionId: string, namespace: string): boolean;
  /** 403 for an action the identity lacks (the emulator's `denyActions`), else undefined */
  denied(action: string, scope: string): RouteReply | undefined;
  error(status: number, code: string, message: string): RouteReply;
  /** the emulator's schema-drift hook (tests): a body as the list returns it */
  transform(type: string, body: Record<string, unknown>): Record<string, unknown>;
}

/** Lists the segments of `/subscriptions/{s}/...` (and Resource Graph's tenant-level POST). */
export function matchProviderRoute(segments: readonly string[], method: string): ProviderRoute | undefined {
  const s = segments.map((x) => x.toLowerCase());
  if (method === 'POST' && s.join('/') === 'providers/microsoft.resourcegraph/resources')
    return { name: 'resourceGraph.query' };
  if (s[0] !== 'subscriptions' || segments.length < 3) return undefined;
  const subscriptionId = segments[1] as string;
  if (s[2] === 'resources' && s.length === 3) return { name: 'resources.list', subscriptionId };
  if (s[2] === 'providers' && s.length === 5) {
    return { name: 'type.list', subscriptionId, type: `${segments[3]}/${segments[4]}` };
  }
  if (s[2] !== 'resourcegroups' || s.length < 5) return undefined;
  const resourceGroup = segments[3] as string;
  if (s[4] === 'resources' && s.length === 5)
    return { name: 'resources.list', subscriptionId, resourceGroup };
  if (s[4] !== 'providers' || s.length < 7) return undefined;
  const rest = segments.slice(6);
  const rgBase = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${segments[5]}`;
  if (
    s[5] === 'microsoft.web' &&
    s[6] === 'sites' &&
    rest.length === 5 &&
    s[8] === 'config' &&
    s[10] === 'list'
  ) {
    const id = `${rgBase}/sites/${rest[1]}`;
    if (s[9] === 'appsettings')
      return { name: 'sites.listApplicationSettings', subscriptionId, resourceGroup, id };
    if (s[9] === 'connectionstrings')
      return { name: 'sites.listConnectionStrings', subscriptionId, resourceGroup, id };
    return undefined;
  }
  const typeSegments = rest.filter((_, i) => i % 2 === 0);
  const type = [segments[5], ...typeSegments].join('/');
  if (rest.length % 2 === 1) {
    // a list: under a parent when there is one (`servers/{name}/databases`)
    const parent = rest.length > 1 ? `${rgBase}/${rest.slice(0, -1).join('/')}` : undefined;
    return {
      name: 'type.list',
      subscriptionId,
      resourceGroup,
      type,
      ...(parent ? { parentId: parent } : {}),
    };
  }
  return { name: 'type.get', subscriptionId, resourceGroup, type, id: `${rgBase}/${rest.join('/')}` };
}

/** A subscription's resources indexed for the provider routes (built once per subscription). */
export class SubscriptionResources {
  private byType?: Map<string, EmulatedResource[]>;
  private byId?: Map<string, EmulatedResource>;
  private generic?: Array<{ key: string; type: string; rg: string; body: () => unknown }>;

  constructor(readonly sub: EmulatedSubscription) {}

  ofType(type: string): EmulatedResource[] {
    if (!this.byType) {
      this.byType = new Map();
      for (const r of this.sub.resources) {
        const k = r.type.toLowerCase();
        const list = this.byType.get(k) ?? [];
        list.push(r);
        this.byType.set(k, list);
      }
    }
    return this.byType.get(type.toLowerCase()) ?? [];
  }

  get(id: string): EmulatedResource | undefined {
    this.byId ??= new Map(this.sub.resources.map((r) => [r.id.toLowerCase(), r]));
    return this.byId.get(id.toLowerCase());
  }

  /** Every resource, VMs included, in the generic list's shape and id order. */
  all(): Array<{ key: string; type: string; rg: string; body: () => unknown }> {
    if (!this.generic) {
      const vms = this.sub.vms.map((vm) => ({
        key: vm.id.toLowerCase(),
        type: 'microsoft.compute/virtualmachines',
        rg: vm.resourceGroup.toLowerCase(),
        body: () => genericVm(vm),
      }));
      const others = this.sub.resources.map((r) => ({
        key: r.id.toLowerCase(),
        type: r.type.toLowerCase(),
        rg: r.resourceGroup.toLowerCase(),
        body: () => genericBody(r),
      }));
      this.generic = [...vms, ...others].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    }
    return this.generic;
  }
}

function genericVm(vm: EmulatedVm): unknown {
  return {
    id: vm.id,
    name: vm.name,
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    tags: vm.tags,
    ...(vm.zones ? { zones: vm.zones } : {}),
  };
}

function inRg(r: { resourceGroup: string }, rg: string | undefined): boolean {
  return rg === undefined || r.resourceGroup.toLowerCase() === rg.toLowerCase();
}

/** `resourceType eq 'Microsoft.Web/sites'` (the one filter the generic list is asked for). */
function typeFilter(filter: string | undefined): string | undefined | null {
  if (!filter) return undefined;
  const m = /^\s*resourceType\s+eq\s+'([^']+)'\s*$/i.exec(filter);
  return m?.[1] ? m[1].toLowerCase() : null;
}

export function serveProviderRoute(
  route: ProviderRoute,
  ctx: ProviderRouteContext,
  request: {
    pathname: string;
    apiVersion: string;
    offset: number | undefined;
    query: Map<string, string>;
    body?: unknown;
  },
): RouteReply {
  // Resource Graph is answered by providers/resourceGraph.ts (it keeps per-caller quota state)
  if (route.name === 'resourceGraph.query')
    return ctx.error(500, 'InternalServerError', 'Resource Graph is answered by the server');
  const index = ctx.subscription(route.subscriptionId);
  if (!index)
    return ctx.error(
      404,
      'SubscriptionNotFound',
      `The subscription '${route.subscriptionId}' could not be found.`,
    );
  const scope = `/subscriptions/${route.subscriptionId}${route.resourceGroup ? `/resourceGroups/${route.resourceGroup}` : ''}`;
  if (
    route.resourceGroup &&
    !index.sub.resourceGroups.some((g) => g.name.toLowerCase() === route.resourceGroup?.toLowerCase())
  ) {
    return ctx.error(
      404,
      'ResourceGroupNotFound',
      `Resource group '${route.resourceGroup}' could not be found.`,
    );
  }
  switch (route.name) {
    case 'resources.list': {
      const type = typeFilter(request.query.get('$filter'));
      if (type === null)
        return ctx.error(
          400,
          'InvalidFilter',
          `The $filter '${request.query.get('$filter') ?? ''}' is not supported by the emulator.`,
        );
      const rg = route.resourceGroup?.toLowerCase();
      // nothing of an unregistered provider can exist in the subscription
      const items = index
        .all()
        .filter(
          (r) =>
            (!type || r.type === type) &&
            (!rg || r.rg === rg) &&
            !ctx.isUnregistered(route.subscriptionId, r.type.split('/')[0] ?? ''),
        );
      const extra = request.query.has('$filter')
        ? [`$filter=${encodeURIComponent(request.query.get('$filter') ?? '')}`]
        : [];
      return ctx.page(
        items.map((i) => ctx.transform(i.type, i.body() as Record<string, unknown>)),
        request.pathname,
        request.apiVersion,
        request.offset,
        extra,
      );
    }
    case 'type.list': {
      const namespace = route.type.split('/')[0] ?? '';
      if (!KNOWN_TYPES.has(route.type.toLowerCase()))
        return ctx.error(
          404,
          'InvalidResourceType',
          `The resource type '${route.type.split('/').slice(1).join('/')}' could not be found in the namespace '${namespace}' for api version '${request.apiVersion}'.`,
        );
      if (ctx.isUnregistered(route.subscriptionId, namespace)) return missingRegistration(ctx, namespace);
      const deny = ctx.denied(`${route.type}/read`, scope);
      if (deny) return deny;
      const items = index
        .ofType(route.type)
        .filter(
          (r) =>
            inRg(r, route.resourceGroup) &&
            (!route.parentId || r.parentId?.toLowerCase() === route.parentId.toLowerCase()),
        );
      if (route.parentId && !index.get(route.parentId)) return notFound(ctx, route.parentId);
      const bodies = items.map((r) => ctx.transform(r.type, r.body()));
      // Cosmos DB's account list is not paged, as in Azure
      if (route.type.toLowerCase() === 'microsoft.documentdb/databaseaccounts')
        return { status: 200, body: { value: bodies } };
      return ctx.page(bodies, request.pathname, request.apiVersion, request.offset, []);
    }
    case 'type.get': {
      const namespace = route.type.split('/')[0] ?? '';
      if (ctx.isUnregistered(route.subscriptionId, namespace)) return missingRegistration(ctx, namespace);
      if (route.type.toLowerCase() === 'microsoft.servicebus/namespaces/networkrulesets') {
        const parent = index.get(route.id.replace(/\/networkRuleSets\/[^/]+$/i, ''));
        return parent ? { status: 200, body: networkRuleSetBody(parent) } : notFound(ctx, route.id);
      }
      const r = index.get(route.id);
      return r ? { status: 200, body: r.body() } : notFound(ctx, route.id);
    }
    case 'sites.listApplicationSettings':
    case 'sites.listConnectionStrings': {
      if (ctx.isUnregistered(route.subscriptionId, 'Microsoft.Web'))
        return missingRegistration(ctx, 'Microsoft.Web');
      const deny = ctx.denied('Microsoft.Web/sites/config/list/action', route.id);
      if (deny) return deny;
      const r = index.get(route.id);
      if (!r || !isSite(r)) return notFound(ctx, route.id);
      return {
        status: 200,
        body: route.name === 'sites.listApplicationSettings' ? appSettingsBody(r) : connectionStringsBody(r),
      };
    }
  }
}

function missingRegistration(ctx: ProviderRouteContext, namespace: string): RouteReply {
  return ctx.error(
    409,
    'MissingSubscriptionRegistration',
    `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
  );
}

function notFound(ctx: ProviderRouteContext, id: string): RouteReply {
  return ctx.error(
    404,
    'ResourceNotFound',
    `The Resource '${id}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}
