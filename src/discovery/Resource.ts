/** The resource shape of the HTTP API and the contract other programs rely on (design.md). */
export type ResourceStatus = 'running' | 'stopped' | 'error' | 'degraded' | 'unknown';

export interface Resource {
  id: string;
  key: string;
  name: string;
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  status: ResourceStatus;
  environment: string | null;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
  discoveredAt: string;
  /** When TopDeck first saw the resource (a first scan is a baseline: no `added` item says so). */
  firstSeenAt: string;
  lastSeenAt: string;
  scanId: string;
  /** Last read from Azure, by a scan or by an event's refresh. */
  refreshedAt?: string;
  /** The actor of its last change, when an event named one. */
  changedBy?: string;
}

/** What a discoverer's listing produces for one item, before TopDeck stamps scan fields on it. */
export interface DiscoveredItem {
  id: string;
  name: string;
  type: string;
  location: string;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
  /** Only set by a listing that knows the state (e.g. a power-state listing). */
  status?: ResourceStatus;
}

/** Maps provisioning or power states to TopDeck's status (reference-behaviour.md). */
export function statusFromState(state: string | undefined | null): ResourceStatus {
  // `ProvisioningState/failed/InternalError` → `failed`
  const s =
    (state ?? '')
      .toLowerCase()
      .replace(/^(powerstate|provisioningstate)\//, '')
      .split('/')[0] ?? '';
  if (['succeeded', 'running', 'ready'].includes(s)) return 'running';
  if (['stopped', 'deallocated', 'stopping', 'deallocating'].includes(s)) return 'stopped';
  if (['failed', 'error'].includes(s)) return 'error';
  if (['updating', 'creating', 'deleting', 'starting', 'migrating'].includes(s)) return 'degraded';
  return 'unknown';
}

/** Environment from the `environment` or `env` tag, any case of the tag name, lower-cased. */
export function environmentFromTags(tags: Record<string, string> | undefined): string | null {
  if (!tags) return null;
  for (const wanted of ['environment', 'env']) {
    for (const [k, v] of Object.entries(tags)) {
      if (k.toLowerCase() === wanted && typeof v === 'string' && v.trim()) return v.trim().toLowerCase();
    }
  }
  return null;
}

export interface ParsedResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** ARM type, provider namespace plus every type segment: `Microsoft.Sql/servers/databases`. */
  type: string;
  name: string;
}

/** Parses an ARM id; casing is kept as Azure returned it (compare case-insensitively). */
export function parseResourceId(id: string): ParsedResourceId | undefined {
  const parts = id.split('/').filter(Boolean);
  const lower = parts.map((p) => p.toLowerCase());
  const subIdx = lower.indexOf('subscriptions');
  const subscriptionId = subIdx >= 0 ? parts[subIdx + 1] : undefined;
  if (!subscriptionId) return undefined;
  const rgIdx = lower.indexOf('resourcegroups');
  const resourceGroup = rgIdx >= 0 ? (parts[rgIdx + 1] ?? '') : '';
  const provIdx = lower.lastIndexOf('providers');
  if (provIdx < 0) return undefined;
  const namespace = parts[provIdx + 1];
  const rest = parts.slice(provIdx + 2);
  if (!namespace || rest.length < 2 || rest.length % 2 !== 0) return undefined;
  const typeSegments = rest.filter((_, i) => i % 2 === 0);
  const name = rest[rest.length - 1] as string;
  return {
    subscriptionId: subscriptionId.toLowerCase(),
    resourceGroup,
    type: [namespace, ...typeSegments].join('/'),
    name,
  };
}
