import type { Edge, EdgeCategory, EdgeMethod } from './Edge';
import type { RuleView } from './ResourceIndex';

/**
 * One family of edge rules: reads the resources in view (a page of the inventory) with the
 * estate's look-ups, emits edges (duplicates are dropped by the caller).
 */
export type EdgeRule = (view: RuleView, emit: (edge: Edge) => void) => void;

/**
 * The rules' common step: an edge to whatever an ARM reference resolves to (any casing, a
 * sub-resource's owner), when it resolves to a known node; nothing otherwise.
 */
export function referenceEdges(view: RuleView, emit: (edge: Edge) => void) {
  return (
    sourceId: string,
    target: string | undefined,
    evidence: string,
    category: EdgeCategory,
    strength = 1,
    method: EdgeMethod = 'arm-reference',
  ): void => {
    const targetId = view.nodes.resolve(target);
    if (targetId) emit({ sourceId, targetId, category, strength, method, evidence });
  };
}
