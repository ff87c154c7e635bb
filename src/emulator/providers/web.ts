/**
 * Microsoft.Web in the demo estate: App Service plans, web and function apps, and the two
 * POST routes that return a site's settings and connection strings. Those values carry fake
 * secrets on purpose, so tests can prove TopDeck never stores or logs them.
 */
import { LOCATION_DISPLAY, resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider, MatchedRoute } from '../EmulatorProvider';
import { inScope, missingRegistration, notFound } from '../providerRoutes';

export interface EmulatedSite extends EmulatedResource {
  appSettings: Record<string, string>;
  connectionStrings: Record<string, { value: string; type: string }>;
}

export function appServicePlan(p: Placement, name: string, linux: boolean, sites: number): EmulatedResource {
  const sku = { name: 'P1v3', tier: 'PremiumV3', size: 'P1v3', family: 'Pv3', capacity: 2 };
  const display = LOCATION_DISPLAY[p.location] ?? p.location;
  return resource(
    p,
    'Microsoft.Web/serverfarms',
    name,
    (base) => ({
      ...base,
      properties: {
        serverFarmId: 0,
        name,
        workerSize: 'D1',
        status: 'Ready',
        geoRegion: display,
        numberOfSites: sites,
        reserved: linux,
        provisioningState: 'Succeeded',
        maximumNumberOfWorkers: 30,
        zoneRedundant: false,
      },
    }),
    { sku, kind: linux ? 'linux' : 'app', displayLocation: display },
  );
}

export function site(
  p: Placement,
  name: string,
  opts: {
    kind: string;
    serverFarmId: string;
    subnetId?: string;
    linuxFxVersion?: string;
    netFrameworkVersion?: string;
    identity?: 'SystemAssigned' | 'UserAssigned';
    state: 'Running' | 'Stopped';
    appSettings: Record<string, string>;
    connectionStrings: Record<string, { value: string; type: string }>;
  },
): EmulatedSite {
  const display = LOCATION_DISPLAY[p.location] ?? p.location;
  const r = resource(
    p,
    'Microsoft.Web/sites',
    name,
    (base) => ({
      ...base,
      ...(opts.identity
        ? { identity: { type: opts.identity, principalId: '00000000-0000-0000-0000-000000003333' } }
        : {}),
      properties: {
        name,
        state: opts.state,
        hostNames: [`${name}.azurewebsites.net`],
        enabledHostNames: [`${name}.azurewebsites.net`, `${name}.scm.azurewebsites.net`],
        defaultHostName: `${name}.azurewebsites.net`,
        serverFarmId: opts.serverFarmId,
        reserved: Boolean(opts.linuxFxVersion),
        httpsOnly: true,
        siteConfig: {
          numberOfWorkers: 1,
          linuxFxVersion: opts.linuxFxVersion ?? '',
          ...(opts.netFrameworkVersion ? { netFrameworkVersion: opts.netFrameworkVersion } : {}),
          alwaysOn: false,
          http20Enabled: true,
          functionAppScaleLimit: 0,
          minimumElasticInstanceCount: 0,
        },
        ...(opts.subnetId ? { virtualNetworkSubnetId: opts.subnetId } : {}),
        clientAffinityEnabled: false,
        publicNetworkAccess: 'Enabled',
        outboundIpAddresses: '20.1.2.3,20.1.2.4',
        availabilityState: 'Normal',
        usageState: 'Normal',
        lastModifiedTimeUtc: '2025-01-10T10:00:00.000Z',
      },
    }),
    { kind: opts.kind, displayLocation: display },
  );
  return Object.assign(r, { appSettings: opts.appSettings, connectionStrings: opts.connectionStrings });
}

/** `config/appsettings/list` answer (Microsoft.Web/sites/config, name `appsettings`). */
export function appSettingsBody(s: EmulatedSite): Record<string, unknown> {
  return {
    id: `${s.id}/config/appsettings`,
    name: 'appsettings',
    type: 'Microsoft.Web/sites/config',
    location: LOCATION_DISPLAY[s.location] ?? s.location,
    properties: { ...s.appSettings },
  };
}

/** `config/connectionstrings/list` answer. */
export function connectionStringsBody(s: EmulatedSite): Record<string, unknown> {
  return {
    id: `${s.id}/config/connectionstrings`,
    name: 'connectionstrings',
    type: 'Microsoft.Web/sites/config',
    location: LOCATION_DISPLAY[s.location] ?? s.location,
    properties: Object.fromEntries(
      Object.entries(s.connectionStrings).map(([k, v]) => [k, { value: v.value, type: v.type }]),
    ),
  };
}

export function isSite(r: EmulatedResource): r is EmulatedSite {
  return 'appSettings' in r;
}

/** The settings lists (POST `sites/{name}/config/appsettings|connectionstrings/list`). */
function matchSettingsRoute(segments: readonly string[], s: readonly string[]): MatchedRoute | undefined {
  if (s.length !== 11 || s[0] !== 'subscriptions' || s[2] !== 'resourcegroups' || s[4] !== 'providers')
    return undefined;
  if (s[5] !== 'microsoft.web' || s[6] !== 'sites' || s[8] !== 'config' || s[10] !== 'list') return undefined;
  const name =
    s[9] === 'appsettings'
      ? 'sites.listApplicationSettings'
      : s[9] === 'connectionstrings'
        ? 'sites.listConnectionStrings'
        : undefined;
  if (!name) return undefined;
  const subscriptionId = segments[1] as string;
  const resourceGroup = segments[3] as string;
  const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${segments[5]}/sites/${segments[7]}`;
  return {
    name,
    method: 'POST',
    serve: (ctx) => {
      const scope = inScope(ctx, subscriptionId, resourceGroup);
      if ('reply' in scope) return scope.reply;
      if (ctx.isUnregistered(subscriptionId, 'Microsoft.Web'))
        return missingRegistration(ctx, 'Microsoft.Web');
      const deny = ctx.denied('Microsoft.Web/sites/config/list/action', id);
      if (deny) return deny;
      const r = scope.index.get(id);
      if (!r || !isSite(r)) return notFound(ctx, id);
      return {
        status: 200,
        body: name === 'sites.listApplicationSettings' ? appSettingsBody(r) : connectionStringsBody(r),
      };
    },
  };
}

export const webProvider: EmulatorProvider = {
  namespace: 'Microsoft.Web',
  types: ['Microsoft.Web/sites', 'Microsoft.Web/serverfarms'],
  match: matchSettingsRoute,
  listed: {
    // Azure's subscription-wide plan list gives a subset of the properties unless `detailed=true`:
    // `numberOfSites` is 0 there, while a GET and a resource group's list give the real count
    'Microsoft.Web/serverfarms': (body, list) =>
      list.subscriptionWide && list.query.get('detailed') !== 'true'
        ? { ...body, properties: { ...(body.properties as Record<string, unknown>), numberOfSites: 0 } }
        : body,
  },
};
