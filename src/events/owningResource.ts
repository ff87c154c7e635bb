import { ARM_TYPE, findDedicated, findDiscoverer } from '../discovery/registry';
import { parseResourceId } from '../discovery/Resource';

/**
 * Types an event may name that TopDeck does not keep as resources: access control, deployments,
 * tags, locks, policy and diagnostics written onto other resources. Their events are ignored.
 */
const NOT_KEPT =
  /^microsoft\.(authorization|resources|features|policyinsights|security|advisor)\/|\/providers\/microsoft\.(authorization|resources|insights\/diagnosticsettings)/i;

export interface OwningResource {
  /** The tracked resource's ARM id (the subject itself, or its owner for a child). */
  id: string;
  /** Its ARM type as the id spells it. */
  type: string;
  /** True when a dedicated discoverer owns the type (else the generic listing keeps it). */
  dedicated: boolean;
}

/**
 * The resource an event refreshes: the subject when TopDeck tracks it, else the closest owner it
 * tracks (`…/virtualNetworks/v/subnets/s` → the network, `…/sites/x/config/appsettings` → the
 * site); a child of a type no discoverer owns refreshes its top-level resource, which the
 * generic listing keeps. Undefined for what TopDeck does not keep.
 */
export function owningResource(subject: string): OwningResource | undefined {
  // An extension resource (`<resource>/providers/<ns>/<type>/<name>`): tags written onto a
  // resource change that resource; any other extension (role assignments, diagnostics) is not kept.
  const lower = subject.toLowerCase();
  const extension = lower.indexOf('/providers/', lower.indexOf('/providers/') + 1);
  if (extension > 0) {
    return /^\/providers\/microsoft\.resources\/tags\//.test(lower.slice(extension))
      ? owningResource(subject.slice(0, extension))
      : undefined;
  }
  const parsed = parseResourceId(subject);
  if (!parsed || NOT_KEPT.test(parsed.type) || NOT_KEPT.test(subject)) return undefined;
  const parts = subject.split('/').filter(Boolean);
  const provIdx = parts.map((p) => p.toLowerCase()).lastIndexOf('providers');
  // `providers/<ns>/<type>/<name>[/<child type>/<name>...]`: try the longest id first
  for (let end = parts.length; end >= provIdx + 4; end -= 2) {
    const id = `/${parts.slice(0, end).join('/')}`;
    const type = parseResourceId(id)?.type ?? '';
    if (findDedicated(type)) return { id, type, dedicated: true };
  }
  const top = `/${parts.slice(0, provIdx + 4).join('/')}`;
  const type = parseResourceId(top)?.type ?? '';
  if (!ARM_TYPE.test(type) || !findDiscoverer(type)) return undefined;
  return { id: top, type, dedicated: false };
}
