import type { ArmClients } from '../discovery/armClients';
import { sdk } from '../discovery/sdk';
import type { MappedObject } from './mapKubernetesObject';

const IDENTITY_TYPE = 'Microsoft.ManagedIdentity/userAssignedIdentities';
const IDENTITY_API_VERSION = '2023-01-31';
/** How long a subscription's client id → identity map is reused in one process, in milliseconds. */
const TTL_MS = 10 * 60_000;
const bySubscription = new Map<string, { at: number; map: Promise<Map<string, string>> }>();

async function identityMap(arm: ArmClients, subscriptionId: string): Promise<Map<string, string>> {
  const client = arm.client(sdk.resources().ResourceManagementClient, subscriptionId);
  const map = new Map<string, string>();
  for await (const r of client.resources.list({ filter: `resourceType eq '${IDENTITY_TYPE}'` })) {
    if (!r.id) continue;
    // The generic list has no properties: each identity's client id takes one read.
    const full = await client.resources.getById(r.id, IDENTITY_API_VERSION);
    const clientId = (full.properties as { clientId?: unknown } | undefined)?.clientId;
    if (typeof clientId === 'string') map.set(clientId.toLowerCase(), r.id);
  }
  return map;
}

/**
 * Service accounts annotated `azure.workload.identity/client-id`: the user-assigned identity of
 * the cluster's subscription with that client id, as `userAssignedIdentityId` (the edge rule's
 * evidence). Identities are read once per subscription and process; a failure leaves the
 * annotation unresolved rather than failing the page.
 */
export async function resolveWorkloadIdentities(
  arm: ArmClients,
  subscriptionId: string,
  mapped: MappedObject[],
): Promise<void> {
  const annotated = mapped.filter((m) => typeof m.item.properties.workloadIdentityClientId === 'string');
  if (!annotated.length) return;
  let entry = bySubscription.get(subscriptionId);
  if (!entry || Date.now() - entry.at > TTL_MS) {
    entry = { at: Date.now(), map: identityMap(arm, subscriptionId) };
    bySubscription.set(subscriptionId, entry);
  }
  let map: Map<string, string>;
  try {
    map = await entry.map;
  } catch {
    bySubscription.delete(subscriptionId);
    return;
  }
  for (const m of annotated) {
    const id = map.get(String(m.item.properties.workloadIdentityClientId).toLowerCase());
    if (id) m.item.properties.userAssignedIdentityId = id;
  }
}
