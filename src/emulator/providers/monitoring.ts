/**
 * Types with no dedicated discoverer (Application Insights, Log Analytics, managed identities):
 * they reach TopDeck only through the generic resources list.
 */
import { createHash } from 'node:crypto';
import { resource, type EmulatedResource, type Placement } from '../EmulatedResource';
import type { EmulatorProvider } from '../EmulatorProvider';

export function applicationInsights(p: Placement, name: string, workspaceId: string): EmulatedResource {
  return resource(
    p,
    'Microsoft.Insights/components',
    name,
    (base) => ({
      ...base,
      properties: {
        ApplicationId: name,
        Application_Type: 'web',
        WorkspaceResourceId: workspaceId,
        provisioningState: 'Succeeded',
      },
    }),
    { kind: 'web' },
  );
}

export function logAnalyticsWorkspace(p: Placement, name: string): EmulatedResource {
  return resource(p, 'Microsoft.OperationalInsights/workspaces', name, (base) => ({
    ...base,
    properties: { provisioningState: 'Succeeded', sku: { name: 'PerGB2018' }, retentionInDays: 30 },
  }));
}

export function userAssignedIdentity(p: Placement, name: string): EmulatedResource {
  return resource(p, 'Microsoft.ManagedIdentity/userAssignedIdentities', name, (base) => ({
    ...base,
    properties: {
      tenantId: '00000000-0000-0000-0000-00000000eeee',
      principalId: '00000000-0000-0000-0000-000000001111',
      // one client id per identity (workload identity federation finds an identity by it)
      clientId: guidOf(`${p.subscriptionId}/${p.resourceGroup}/${name}`),
    },
  }));
}

export const insightsProvider: EmulatorProvider = {
  namespace: 'Microsoft.Insights',
  types: ['Microsoft.Insights/components'],
};

export const operationalInsightsProvider: EmulatorProvider = {
  namespace: 'Microsoft.OperationalInsights',
  types: ['Microsoft.OperationalInsights/workspaces'],
};

export const managedIdentityProvider: EmulatorProvider = {
  namespace: 'Microsoft.ManagedIdentity',
  types: ['Microsoft.ManagedIdentity/userAssignedIdentities'],
};

function guidOf(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
