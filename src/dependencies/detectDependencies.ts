import { applicationRules } from './applicationRules';
import { computeRules } from './computeRules';
import { configurationRules } from './configurationRules';
import { edgeIdentity, type Edge } from './Edge';
import type { EdgeRule } from './EdgeRule';
import { heuristicRules } from './heuristicRules';
import { networkRules } from './networkRules';
import { platformRules } from './platformRules';
import type { ResourceIndex } from './ResourceIndex';

/** The rule families, one file each; heuristics only when asked for. */
export const FACT_RULES: readonly EdgeRule[] = [
  computeRules,
  networkRules,
  platformRules,
  configurationRules,
  applicationRules,
];

export interface DetectOptions {
  heuristics?: boolean;
}

/**
 * Every edge the rules find, once each (same ends and method: the first evidence wins), no
 * self-edges, and no guess where a fact already links the same two nodes. Linear in resources
 * plus edges: each rule walks its own types once.
 */
export function detectDependencies(index: ResourceIndex, options: DetectOptions = {}): Edge[] {
  const edges = new Map<string, Edge>();
  const linked = new Set<string>();
  const emit = (e: Edge) => {
    if (e.sourceId.toLowerCase() === e.targetId.toLowerCase()) return;
    const id = edgeIdentity(e);
    if (edges.has(id)) return;
    const pair = `${e.sourceId.toLowerCase()}\n${e.targetId.toLowerCase()}`;
    if (e.method === 'heuristic' && linked.has(pair)) return;
    if (e.method !== 'heuristic') linked.add(pair);
    edges.set(id, e);
  };
  for (const rule of FACT_RULES) rule(index, emit);
  if (options.heuristics) heuristicRules(index, emit);
  return [...edges.values()];
}
