import type { GenericResourceExpanded } from '@azure/arm-resources';
import { parseResourceId } from './Resource';

/**
 * A Resource Graph row in the generic resources list's shape, so the generic mapper
 * (mapGenericResource) maps it exactly as it maps a Resource Manager item: one mapping per type,
 * whichever source fed it. Graph writes `''` and `null` for what a resource does not have (the
 * list leaves the field out), puts `provisioningState` under `properties`, and lower-cases `type`
 * (the id keeps the casing Azure gives, so the type is read from it when they agree).
 */
export function graphRowAsGeneric(row: Record<string, unknown>): GenericResourceExpanded {
  const given = (v: unknown) => (v === '' || v === null ? undefined : v);
  const id = typeof row.id === 'string' ? row.id : undefined;
  const rowType = typeof row.type === 'string' ? row.type : undefined;
  const idType = id ? parseResourceId(id)?.type : undefined;
  const properties = (row.properties ?? {}) as Record<string, unknown>;
  return {
    id,
    name: given(row.name) as string | undefined,
    type: idType && rowType && idType.toLowerCase() === rowType.toLowerCase() ? idType : rowType,
    location: given(row.location) as string | undefined,
    tags: (given(row.tags) as Record<string, string> | undefined) ?? undefined,
    kind: given(row.kind) as string | undefined,
    sku: given(row.sku) as GenericResourceExpanded['sku'],
    identity: given(row.identity) as GenericResourceExpanded['identity'],
    managedBy: given(row.managedBy) as string | undefined,
    provisioningState: given(properties.provisioningState) as string | undefined,
  } as GenericResourceExpanded;
}
