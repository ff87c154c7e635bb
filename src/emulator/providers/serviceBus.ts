/** Microsoft.ServiceBus in the demo estate: namespaces (display-name locations, as Azure). */
import { LOCATION_DISPLAY, resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export function serviceBusNamespace(p: Placement, name: string): EmulatedResource {
  const sku = { name: 'Standard', tier: 'Standard' };
  return resource(
    p,
    'Microsoft.ServiceBus/namespaces',
    name,
    (base) => ({
      ...base,
      properties: {
        provisioningState: 'Succeeded',
        status: 'Active',
        createdAt: '2024-02-01T10:00:00Z',
        serviceBusEndpoint: `https://${name}.servicebus.windows.net:443/`,
        metricId: `${p.subscriptionId}:${name}`,
        publicNetworkAccess: 'Enabled',
        disableLocalAuth: false,
        minimumTlsVersion: '1.2',
      },
    }),
    { sku, displayLocation: LOCATION_DISPLAY[p.location] ?? p.location },
  );
}

/** A namespace's network rule set (`namespaces/{name}/networkRuleSets/default`): where Service Bus keeps publicNetworkAccess. */
export function networkRuleSetBody(ns: EmulatedResource): Record<string, unknown> {
  return {
    id: `${ns.id}/networkRuleSets/default`,
    name: 'default',
    type: 'Microsoft.ServiceBus/Namespaces/NetworkRuleSets',
    location: LOCATION_DISPLAY[ns.location] ?? ns.location,
    properties: {
      publicNetworkAccess: 'Enabled',
      defaultAction: 'Allow',
      virtualNetworkRules: [],
      ipRules: [],
      trustedServiceAccessEnabled: false,
    },
  };
}

export const serviceBusProvider: EmulatorProvider = {
  namespace: 'Microsoft.ServiceBus',
  types: ['Microsoft.ServiceBus/namespaces'],
  get: {
    'Microsoft.ServiceBus/namespaces/networkRuleSets': (id, index) => {
      const parent = index.get(id.replace(/\/networkRuleSets\/[^/]+$/i, ''));
      return parent ? { status: 200, body: networkRuleSetBody(parent) } : undefined;
    },
  },
};
