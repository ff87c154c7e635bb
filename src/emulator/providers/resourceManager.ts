/**
 * Microsoft.Resources: subscriptions, provider registrations, resource groups, and the generic
 * resources list (`$filter=resourceType eq '...'`), which names every resource of every provider.
 */
import type { EmulatorProvider, MatchedRoute, ProviderRouteContext, RouteReply } from '../EmulatorProvider';
import type { EmulatedResourceGroup, EmulatedSubscription } from '../estate';
import { LOCATION_DISPLAY } from '../EmulatedResource';
import { inScope } from '../providerRoutes';

const GROUPS_READ = 'Microsoft.Resources/subscriptions/resourceGroups/read';
const PROVIDERS_READ = 'Microsoft.Resources/subscriptions/providers/read';

export const resourceManagerProvider: EmulatorProvider = {
  namespace: 'Microsoft.Resources',
  match: matchResourceManagerRoute,
};

function route(name: string, serve: MatchedRoute['serve'], action?: string): MatchedRoute {
  return { name, method: 'GET', serve, ...(action ? { action } : {}) };
}

function matchResourceManagerRoute(
  segments: readonly string[],
  s: readonly string[],
): MatchedRoute | undefined {
  const n = s.length;
  if (n === 0 || s[0] !== 'subscriptions') return undefined;
  if (n === 1)
    return route('subscriptions.list', (ctx) => {
      const value = ctx.estate.subscriptions.map((sub) => subscriptionJson(sub));
      return { status: 200, body: { value, count: { type: 'Total', value: value.length } } };
    });
  const subscriptionId = segments[1] as string;
  const inSubscription =
    (answer: (sub: EmulatedSubscription, ctx: ProviderRouteContext) => RouteReply): MatchedRoute['serve'] =>
    (ctx) => {
      const index = ctx.subscription(subscriptionId);
      if (!index)
        return ctx.error(
          404,
          'SubscriptionNotFound',
          `The subscription '${subscriptionId}' could not be found.`,
        );
      return answer(index.sub, ctx);
    };
  if (n === 2)
    return route(
      'subscriptions.get',
      inSubscription((sub) => ({ status: 200, body: subscriptionJson(sub) })),
    );
  if (s[2] === 'providers' && n === 3)
    return route(
      'providers.list',
      inSubscription((sub, ctx) => ({
        status: 200,
        body: { value: ctx.providers.map((p) => providerJson(ctx, sub, p.namespace)) },
      })),
      PROVIDERS_READ,
    );
  if (s[2] === 'providers' && n === 4)
    return route(
      'providers.get',
      inSubscription((sub, ctx) => {
        const requested = segments[3] ?? '';
        const known = ctx.providers.find((p) => p.namespace.toLowerCase() === requested.toLowerCase());
        return { status: 200, body: providerJson(ctx, sub, known?.namespace ?? requested) };
      }),
      PROVIDERS_READ,
    );
  if (s[2] === 'resources' && n === 3) return genericList(subscriptionId, undefined);
  if (s[2] !== 'resourcegroups') return undefined;
  if (n === 3)
    return route(
      'resourceGroups.list',
      inSubscription((sub) => ({
        status: 200,
        body: { value: sub.resourceGroups.map((rg) => resourceGroupJson(rg)) },
      })),
      GROUPS_READ,
    );
  const resourceGroup = segments[3] as string;
  if (n === 4)
    return route(
      'resourceGroups.get',
      (ctx) => {
        const index = ctx.subscription(subscriptionId);
        if (!index)
          return ctx.error(
            404,
            'SubscriptionNotFound',
            `The subscription '${subscriptionId}' could not be found.`,
          );
        const rg = index.resourceGroup(resourceGroup);
        return rg
          ? { status: 200, body: resourceGroupJson(rg) }
          : ctx.error(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
      },
      GROUPS_READ,
    );
  if (s[4] === 'resources' && n === 5) return genericList(subscriptionId, resourceGroup);
  return undefined;
}

/** `resourceType eq 'Microsoft.Web/sites'` (the one filter the generic list is asked for). */
function typeFilter(filter: string | undefined): string | undefined | null {
  if (!filter) return undefined;
  const m = /^\s*resourceType\s+eq\s+'([^']+)'\s*$/i.exec(filter);
  return m?.[1] ? m[1].toLowerCase() : null;
}

function genericList(subscriptionId: string, resourceGroup: string | undefined): MatchedRoute {
  return route('resources.list', (ctx, request) => {
    const scope = inScope(ctx, subscriptionId, resourceGroup);
    if ('reply' in scope) return scope.reply;
    const filter = request.query.get('$filter');
    const type = typeFilter(filter);
    if (type === null)
      return ctx.error(
        400,
        'InvalidFilter',
        `The $filter '${filter ?? ''}' is not supported by the emulator.`,
      );
    const rg = resourceGroup?.toLowerCase();
    // nothing of an unregistered provider can exist in the subscription
    const items = scope.index
      .all()
      .filter(
        (r) =>
          (!type || r.type === type) &&
          (!rg || r.rg === rg) &&
          !ctx.isUnregistered(subscriptionId, r.type.split('/')[0] ?? ''),
      );
    const expand = request.query.get('$expand') ?? '';
    // `$expand=provisioningState` adds the state at the top level, as Azure's list does
    const withState = /(^|,)\s*provisioningState\s*(,|$)/i.test(expand);
    const extra = [
      ...(request.query.has('$filter') ? [`$filter=${encodeURIComponent(filter ?? '')}`] : []),
      ...(expand ? [`$expand=${encodeURIComponent(expand)}`] : []),
    ];
    return ctx.page(
      items.map((i) => {
        const body = i.body() as Record<string, unknown>;
        const state = withState ? i.provisioningState() : undefined;
        return ctx.transform(i.type, state ? { ...body, provisioningState: state } : body);
      }),
      request.pathname,
      request.apiVersion,
      request.offset,
      extra,
    );
  });
}

/**
 * The API versions the registration answer lists for a type its provider module does not describe
 * itself, newest first as Azure lists them: a preview newer than the newest stable one, so a
 * reader that wants the current stable version must skip it.
 */
export const DEFAULT_API_VERSIONS: readonly string[] = ['2025-02-01-preview', '2024-11-01', '2023-09-01'];

function providerJson(ctx: ProviderRouteContext, sub: EmulatedSubscription, namespace: string): unknown {
  const provider = ctx.providers.find((p) => p.namespace.toLowerCase() === namespace.toLowerCase());
  const described = (provider?.resourceTypes?.(ctx.estate) ?? []) as Array<{ resourceType?: string }>;
  const named = new Set(described.map((t) => (t.resourceType ?? '').toLowerCase()));
  // every type the generic routes serve is in the answer, with versions a GET by id can use
  const served = (provider?.types ?? [])
    .map((type) => type.split('/').slice(1).join('/'))
    .filter((t) => !named.has(t.toLowerCase()))
    .map((resourceType) => ({
      resourceType,
      locations: ctx.estate.locations.map((l) => LOCATION_DISPLAY[l] ?? l),
      apiVersions: [...DEFAULT_API_VERSIONS],
      capabilities: 'SupportsTags, SupportsLocation',
    }));
  return {
    id: `/subscriptions/${sub.subscriptionId}/providers/${namespace}`,
    namespace,
    registrationState: ctx.isUnregistered(sub.subscriptionId, namespace) ? 'NotRegistered' : 'Registered',
    registrationPolicy: 'RegistrationRequired',
    resourceTypes: [...described, ...served],
  };
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
