/**
 * The generic type routes every provider gets from its `types`: a type's list (subscription-wide,
 * per resource group, or under a parent) and a GET by id; plus the checks every subscription-scoped
 * route shares (subscription and resource group exist, provider registered). ARM's routing ignores
 * case; so does this.
 */
import type { EmulatorProvider, MatchedRoute, ProviderRouteContext, RouteReply } from './EmulatorProvider';
import type { SubscriptionResources } from './SubscriptionResources';

type TypeRoute =
  | { name: 'type.list'; subscriptionId: string; resourceGroup?: string; type: string; parentId?: string }
  | { name: 'type.get'; subscriptionId: string; resourceGroup: string; type: string; id: string };

/** Reads the type route in `/subscriptions/{s}/[resourceGroups/{rg}/]providers/{ns}/...`. */
function parse(segments: readonly string[], s: readonly string[]): TypeRoute | undefined {
  if (s[0] !== 'subscriptions' || segments.length < 3) return undefined;
  const subscriptionId = segments[1] as string;
  if (s[2] === 'providers' && s.length === 5) {
    return { name: 'type.list', subscriptionId, type: `${segments[3]}/${segments[4]}` };
  }
  if (s[2] !== 'resourcegroups' || s.length < 7 || s[4] !== 'providers') return undefined;
  const resourceGroup = segments[3] as string;
  const rest = segments.slice(6);
  const rgBase = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${segments[5]}`;
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

/** The list or GET of any type, named `<type as the path spells it>.list|get`. */
export function matchTypeRoute(
  segments: readonly string[],
  lower: readonly string[],
): MatchedRoute | undefined {
  const route = parse(segments, lower);
  if (!route) return undefined;
  return {
    name: `${route.type}.${route.name === 'type.list' ? 'list' : 'get'}`,
    method: 'GET',
    serve: (ctx, request) => {
      const scope = inScope(ctx, route.subscriptionId, route.resourceGroup);
      if ('reply' in scope) return scope.reply;
      return route.name === 'type.list'
        ? list(route, scope.index, ctx, request.pathname, request.apiVersion, request.offset, request.query)
        : get(route, scope.index, ctx);
    },
  };
}

/** The subscription's index, or the 404 ARM gives for a missing subscription or resource group. */
export function inScope(
  ctx: ProviderRouteContext,
  subscriptionId: string,
  resourceGroup: string | undefined,
): { index: SubscriptionResources } | { reply: RouteReply } {
  const index = ctx.subscription(subscriptionId);
  if (!index)
    return {
      reply: ctx.error(
        404,
        'SubscriptionNotFound',
        `The subscription '${subscriptionId}' could not be found.`,
      ),
    };
  if (
    resourceGroup &&
    !index.sub.resourceGroups.some((g) => g.name.toLowerCase() === resourceGroup.toLowerCase())
  ) {
    return {
      reply: ctx.error(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`),
    };
  }
  return { index };
}

function providerOf(ctx: ProviderRouteContext, namespace: string): EmulatorProvider | undefined {
  return ctx.providers.find((p) => p.namespace.toLowerCase() === namespace.toLowerCase());
}

function has(types: readonly string[] | undefined, type: string): boolean {
  return (types ?? []).some((t) => t.toLowerCase() === type.toLowerCase());
}

function list(
  route: Extract<TypeRoute, { name: 'type.list' }>,
  index: SubscriptionResources,
  ctx: ProviderRouteContext,
  pathname: string,
  apiVersion: string,
  offset: number | undefined,
  query: Map<string, string>,
): RouteReply {
  const namespace = route.type.split('/')[0] ?? '';
  const provider = providerOf(ctx, namespace);
  // a list of a type no provider serves is an unknown route, as in Azure
  if (!has(provider?.types, route.type))
    return ctx.error(
      404,
      'InvalidResourceType',
      `The resource type '${route.type.split('/').slice(1).join('/')}' could not be found in the namespace '${namespace}' for api version '${apiVersion}'.`,
    );
  if (ctx.isUnregistered(route.subscriptionId, namespace)) return missingRegistration(ctx, namespace);
  const scope = `/subscriptions/${route.subscriptionId}${route.resourceGroup ? `/resourceGroups/${route.resourceGroup}` : ''}`;
  const deny = ctx.denied(`${route.type}/read`, scope);
  if (deny) return deny;
  const items = index
    .ofType(route.type)
    .filter(
      (r) =>
        (route.resourceGroup === undefined ||
          r.resourceGroup.toLowerCase() === route.resourceGroup.toLowerCase()) &&
        (!route.parentId || r.parentId?.toLowerCase() === route.parentId.toLowerCase()),
    );
  if (route.parentId && !index.get(route.parentId)) return notFound(ctx, route.parentId);
  const listed = Object.entries(provider?.listed ?? {}).find(
    ([type]) => type.toLowerCase() === route.type.toLowerCase(),
  )?.[1];
  const as = { subscriptionWide: route.resourceGroup === undefined, query };
  const bodies = items.map((r) => {
    const body = ctx.transform(r.type, r.body());
    return listed ? listed(body, as) : body;
  });
  if (has(provider?.unpagedTypes, route.type)) return { status: 200, body: { value: bodies } };
  // the list's own query (`detailed=true`) goes on into its nextLink, as Azure carries it
  const carried = [...query]
    .filter(([k]) => k !== 'api-version' && k !== '$skiptoken')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return ctx.page(bodies, pathname, apiVersion, offset, carried);
}

function get(
  route: Extract<TypeRoute, { name: 'type.get' }>,
  index: SubscriptionResources,
  ctx: ProviderRouteContext,
): RouteReply {
  const namespace = route.type.split('/')[0] ?? '';
  if (ctx.isUnregistered(route.subscriptionId, namespace)) return missingRegistration(ctx, namespace);
  const special = Object.entries(providerOf(ctx, namespace)?.get ?? {}).find(
    ([type]) => type.toLowerCase() === route.type.toLowerCase(),
  )?.[1];
  if (special) return special(route.id, index) ?? notFound(ctx, route.id);
  const r = index.get(route.id);
  // the body the type's list gives for it (the same drift hook included)
  return r ? { status: 200, body: ctx.transform(r.type, r.body()) } : notFound(ctx, route.id);
}

export function missingRegistration(ctx: ProviderRouteContext, namespace: string): RouteReply {
  return ctx.error(
    409,
    'MissingSubscriptionRegistration',
    `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`,
  );
}

export function notFound(ctx: ProviderRouteContext, id: string): RouteReply {
  return ctx.error(
    404,
    'ResourceNotFound',
    `The Resource '${id}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}
