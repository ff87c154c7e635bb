import { isRestError } from '@azure/core-rest-pipeline';
import type { SBNamespace } from '@azure/arm-servicebus';
import pLimit from 'p-limit';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer, ListingPage } from '../Discoverer';
import { listArmPage } from '../listArmPage';
import { parseResourceId } from '../Resource';
import { sdk } from '../sdk';

const TYPE = 'Microsoft.ServiceBus/namespaces';

/** What the namespace body says that the SDK (6.x) model leaves out, by lower-case id. */
export type NamespaceExtras = Map<string, { publicNetworkAccess?: string }>;

export function mapServiceBusNamespace(n: SBNamespace, extras?: NamespaceExtras) {
  return armItem(
    n,
    TYPE,
    {
      serviceBusEndpoint: n.serviceBusEndpoint,
      sku: n.sku?.name,
      disableLocalAuth: n.disableLocalAuth,
      publicNetworkAccess: n.id ? extras?.get(n.id.toLowerCase())?.publicNetworkAccess : undefined,
      privateEndpointConnectionIds: idsOf(n.privateEndpointConnections),
      provisioningState: n.provisioningState,
    },
    n.provisioningState,
  );
}

/** `properties.publicNetworkAccess` of each namespace in a list answer's raw body. */
export function namespaceExtrasOf(bodyAsText: string | undefined): NamespaceExtras {
  const out: NamespaceExtras = new Map();
  let body: unknown;
  try {
    body = JSON.parse(bodyAsText ?? '');
  } catch {
    return out;
  }
  const value = (body as { value?: unknown }).value;
  for (const n of Array.isArray(value) ? value : []) {
    const raw = n as { id?: unknown; properties?: { publicNetworkAccess?: unknown } };
    if (typeof raw.id !== 'string') continue;
    const access = raw.properties?.publicNetworkAccess;
    out.set(raw.id.toLowerCase(), typeof access === 'string' ? { publicNetworkAccess: access } : {});
  }
  return out;
}

/**
 * `publicNetworkAccess` is a property of the namespace itself (api 2022-10-01-preview and later);
 * the SDK's model drops it, so it is read from the list answer's raw body. The namespace's
 * network rule set (one read per namespace, namespaces are few) adds only the rules' default
 * action: a rule set that cannot be read (403, 404) costs that field, not the namespace's access
 * setting; a transient error retries the page.
 */
export const serviceBusNamespaces: Discoverer = {
  type: TYPE,
  slug: 'servicebus',
  async listPage(ctx): Promise<ListingPage> {
    const client = () => ctx.arm.client(sdk.serviceBus().ServiceBusManagementClient, ctx.subscriptionId);
    let extras: NamespaceExtras = new Map();
    const options = {
      onResponse: (raw: { bodyAsText?: string | null }) => {
        extras = namespaceExtrasOf(raw.bodyAsText ?? undefined);
      },
    };
    const page = await listArmPage(
      ctx,
      {
        all: () => client().namespaces.list(options),
        byResourceGroup: (rg) => client().namespaces.listByResourceGroup(rg, options),
        continuationOf: sdk.serviceBus().getContinuationToken,
      },
      (n) => mapServiceBusNamespace(n, extras),
    );
    const limit = pLimit(8);
    await Promise.all(
      page.items.map((item) =>
        limit(async () => {
          const rg = parseResourceId(item.id)?.resourceGroup ?? '';
          try {
            const rules = await client().namespaces.getNetworkRuleSet(rg, item.name);
            Object.assign(item.properties, compact({ networkDefaultAction: rules.defaultAction }));
          } catch (e) {
            const status = isRestError(e) ? e.statusCode : undefined;
            if (status === undefined || status === 429 || status >= 500) throw e;
          }
        }),
      ),
    );
    return page;
  },
};
