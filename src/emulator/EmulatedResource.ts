/**
 * One generated resource other than a VM (VMs keep their own compact record, see estate.ts).
 * The body is built when a client asks for it, so a large estate costs little until listed.
 */
export interface EmulatedResource {
  id: string;
  /** Canonical ARM spelling, e.g. `Microsoft.Cache/redis` (the generic list's spelling). */
  type: string;
  /** The spelling the provider's own list uses, when it differs (`Microsoft.Cache/Redis`). */
  listType?: string;
  /** `server/db` for child resources, as the generic list names them. */
  genericName: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  /** Canonical region (`eastus`); a provider may display it as `East US` in its own list. */
  location: string;
  tags: Record<string, string>;
  kind?: string;
  sku?: Record<string, unknown>;
  managedBy?: string;
  /** For child types: the parent's id (a server's databases are listed under the server). */
  parentId?: string;
  /** The body the provider's list and GET answer with. */
  body(): Record<string, unknown>;
}

/** The generic resources list shape: id, name, type, location, kind, sku, tags, managedBy. */
export function genericBody(r: EmulatedResource): Record<string, unknown> {
  return {
    id: r.id,
    name: r.genericName,
    type: r.type,
    ...(r.sku ? { sku: r.sku } : {}),
    ...(r.kind ? { kind: r.kind } : {}),
    location: r.location,
    ...(r.managedBy ? { managedBy: r.managedBy } : {}),
    tags: { ...r.tags },
  };
}

export const LOCATION_DISPLAY: Readonly<Record<string, string>> = {
  eastus: 'East US',
  westeurope: 'West Europe',
  northeurope: 'North Europe',
  westus2: 'West US 2',
  uksouth: 'UK South',
};

/** The id prefix of a resource group (casing as created). */
export function rgId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** What every builder receives about where the resource lives. */
export interface Placement {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
}

/** Builds an EmulatedResource with the common fields from its placement. */
export function resource(
  p: Placement,
  type: string,
  name: string,
  body: (base: Record<string, unknown>) => Record<string, unknown>,
  extra: Partial<
    Pick<EmulatedResource, 'listType' | 'kind' | 'sku' | 'managedBy' | 'parentId' | 'genericName'>
  > & {
    /** the location as this provider's list writes it */
    displayLocation?: string;
    idOverride?: string;
  } = {},
): EmulatedResource {
  const id = extra.idOverride ?? `${rgId(p.subscriptionId, p.resourceGroup)}/providers/${type}/${name}`;
  const r: EmulatedResource = {
    id,
    type,
    genericName: extra.genericName ?? name,
    name: name.split('/').pop() as string,
    subscriptionId: p.subscriptionId,
    resourceGroup: p.resourceGroup,
    location: p.location,
    tags: { ...p.tags },
    ...(extra.listType ? { listType: extra.listType } : {}),
    ...(extra.kind ? { kind: extra.kind } : {}),
    ...(extra.sku ? { sku: extra.sku } : {}),
    ...(extra.managedBy ? { managedBy: extra.managedBy } : {}),
    ...(extra.parentId ? { parentId: extra.parentId } : {}),
    body: () =>
      body({
        id,
        name: r.name,
        type: extra.listType ?? type,
        location: extra.displayLocation ?? p.location,
        tags: { ...p.tags },
        ...(extra.kind ? { kind: extra.kind } : {}),
        ...(extra.sku ? { sku: extra.sku } : {}),
      }),
  };
  return r;
}
