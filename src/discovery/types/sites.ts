import { sdk } from '../sdk';
import type { Site, WebSiteManagementClient } from '@azure/arm-appservice';
import { isRestError } from '@azure/core-rest-pipeline';
import pLimit from 'p-limit';
import { armItem, compact } from '../armItem';
import type { Discoverer, ListingContext, ListingPage, PageWarning } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { parseResourceId, type DiscoveredItem } from '../Resource';
import { referencedEndpoints } from '../referencedEndpoint';

const TYPE = 'Microsoft.Web/sites';

/** The action Reader lacks: infra/ grants it through a custom role. */
export const SITE_CONFIG_LIST_ACTION = 'Microsoft.Web/sites/config/list/action';

function webClient(ctx: ListingContext): WebSiteManagementClient {
  return ctx.arm.client(sdk.appService().WebSiteManagementClient, ctx.subscriptionId);
}

export function mapSite(s: Site) {
  const config = s.siteConfig;
  return armItem(
    s,
    TYPE,
    {
      kind: s.kind,
      state: s.state,
      defaultHostName: s.defaultHostName,
      serverFarmId: s.serverFarmId,
      httpsOnly: s.httpsOnly,
      runtimeStack:
        config?.linuxFxVersion || config?.windowsFxVersion || config?.netFrameworkVersion || undefined,
      virtualNetworkSubnetId: s.virtualNetworkSubnetId,
      identityType: s.identity?.type,
      publicNetworkAccess: s.publicNetworkAccess,
    },
    s.state,
  );
}

/**
 * Reads each site's settings and connection strings (two calls a site, in parallel) only to
 * extract what they point at. Values stay in this function's locals: never stored, logged,
 * cached or queued. A 403 means the identity lacks the config/list action: the sites are still
 * inventoried and the page says so once.
 */
async function addSettings(items: DiscoveredItem[], ctx: ListingContext): Promise<PageWarning[]> {
  const client = webClient(ctx);
  const limit = pLimit(8);
  let forbidden = false;
  const warnings: PageWarning[] = [];
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        if (forbidden) return;
        const rg = parseResourceId(item.id)?.resourceGroup ?? '';
        try {
          const [settings, strings] = await Promise.all([
            client.webApps.listApplicationSettings(rg, item.name),
            client.webApps.listConnectionStrings(rg, item.name),
          ]);
          const connectionStrings = strings.properties ?? {};
          Object.assign(
            item.properties,
            compact({
              appSettingNames: Object.keys(settings.properties ?? {}).sort(),
              connectionStrings: Object.entries(connectionStrings).map(([name, v]) =>
                compact({ name, type: v?.type }),
              ),
              referencedEndpoints: referencedEndpoints(settings.properties, connectionStrings),
            }),
          );
        } catch (e) {
          const status = isRestError(e) ? e.statusCode : undefined;
          if (status === 403) {
            forbidden = true;
            return;
          }
          // The site went away between the list and the read: it is still inventoried.
          if (status === 404) return;
          if (status === undefined || status === 429 || status >= 500) throw e;
          warnings.push({
            code: 'SiteSettingsUnreadable',
            message: `the settings of ${item.id} could not be read (${status}); the site is inventoried without referencedEndpoints`,
          });
        }
      }),
    ),
  );
  if (forbidden) {
    warnings.push({
      code: 'MissingPermission',
      message: `the identity lacks ${SITE_CONFIG_LIST_ACTION} (Reader does not include it), so App Service settings were not read and referencedEndpoints are missing; assign the custom role infra/ defines`,
    });
  }
  return warnings;
}

export const sites: Discoverer = {
  type: TYPE,
  slug: 'sites',
  async listPage(ctx): Promise<ListingPage> {
    const page = await listArmPage(
      ctx,
      {
        all: () => webClient(ctx).webApps.list(),
        byResourceGroup: (rg) => webClient(ctx).webApps.listByResourceGroup(rg),
      },
      mapSite,
    );
    const warnings = page.items.length ? await addSettings(page.items, ctx) : [];
    return { ...page, ...(warnings.length ? { warnings } : {}) };
  },
  // One GET and the two settings reads: the site and its config are re-read together.
  async getById(id, ctx): Promise<ListingPage> {
    const page = await getArmById(id, (rg, name) => webClient(ctx).webApps.get(rg, name), mapSite);
    const warnings = page.items.length ? await addSettings(page.items, ctx) : [];
    return { ...page, ...(warnings.length ? { warnings } : {}) };
  },
};
