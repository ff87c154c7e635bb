import { isRestError } from '@azure/core-rest-pipeline';
import type { SBNamespace, ServiceBusManagementClient } from '@azure/arm-servicebus';
import pLimit from 'p-limit';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer, ListingContext, ListingPage } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { parseResourceId, type DiscoveredItem } from '../Resource';
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

/** `properties.publicNetworkAccess` of each namespace in a list answer's (or a GET's) raw body. */
export function namespaceExtrasOf(bodyAsText: string | undefined): NamespaceExtras {
  const out: NamespaceExtras = new Map();
  let body: unknown;
  try {
    body = JSON.parse(bodyAsText ?? '');
  } catch {
    return out;
  }
  // a list's answer is `{value: [...]}`, a GET's the namespace itself
  const value = (body as { value?: unknown } | null)?.value;
  for (const n of Array.isArray(value) ? value : body && typeof body === 'object' ? [body] : []) {
    const raw = n as { id?: unknown; properties?: { publicNetworkAccess?: unknown } };
    if (typeof raw.id !== 'string') continue;
    const access = raw.properties?.publicNetworkAccess;
    out.set(raw.id.toLowerCase(), typeof access === 'string' ? { publicNetworkAccess: access } : {});
  }
  return out;
}

function sbClient(ctx: ListingContext): ServiceBusManagementClient {
  return ctx.arm.client(sdk.serviceBus().ServiceBusManagementClient, ctx.subscriptionId);
}

/** Keeps the raw body of each answer, for what the SDK's model drops (namespaceExtrasOf). */
function rawBodies(): {
  extras: () => NamespaceExtras;
  options: { onResponse(raw: { bodyAsText?: string | null }): void };
} {
  let extras: NamespaceExtras = new Map();
  return {
    extras: () => extras,
    options: {
      onResponse: (raw) => {
        extras = namespaceExtrasOf(raw.bodyAsText ?? undefined);
      },
    },
  };
}

/** Each namespace's network rule set (one read each, in parallel), as a listing page and a GET add it. */
async function addNetworkRuleSets(items: DiscoveredItem[], ctx: ListingContext): Promise<void> {
  const limit = pLimit(8);
  await Promise.all(
    items.map((item) =>
      limit(async () => {
        const rg = parseResourceId(item.id)?.resourceGroup ?? '';
        try {
          const rules = await sbClient(ctx).namespaces.getNetworkRuleSet(rg, item.name);
          Object.assign(item.properties, compact({ networkDefaultAction: rules.defaultAction }));
        } catch (e) {
          const status = isRestError(e) ? e.statusCode : undefined;
          if (status === undefined || status === 429 || status >= 500) throw e;
        }
      }),
    ),
  );
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
    const raw = rawBodies();
    const page = await listArmPage(
      ctx,
      {
        all: () => sbClient(ctx).namespaces.list(raw.options),
        byResourceGroup: (rg) => sbClient(ctx).namespaces.listByResourceGroup(rg, raw.options),
        continuationOf: sdk.serviceBus().getContinuationToken,
      },
      (n) => mapServiceBusNamespace(n, raw.extras()),
    );
    await addNetworkRuleSets(page.items, ctx);
    return page;
  },
  // an event's refresh: one GET (its raw body gives publicNetworkAccess) and the rule set's read
  async getById(id, ctx): Promise<ListingPage> {
    const raw = rawBodies();
    const page = await getArmById(
      id,
      (rg, name) => sbClient(ctx).namespaces.get(rg, name, raw.options),
      (n) => mapServiceBusNamespace(n, raw.extras()),
    );
    await addNetworkRuleSets(page.items, ctx);
    return page;
  },
};
