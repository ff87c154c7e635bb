import { applicationRules } from './applicationRules';
import { HashOrdinals, hashKey } from './compact';
import { computeRules } from './computeRules';
import { configurationRules } from './configurationRules';
import { edgeIdentity, type Edge } from './Edge';
import type { EdgeRule } from './EdgeRule';
import { heuristicRules } from './heuristicRules';
import { kubernetesRules } from './kubernetesRules';
import { networkRules } from './networkRules';
import { platformRules } from './platformRules';
import type { ResourceIndex, RuleView } from './ResourceIndex';

/** The rule families, one file each; heuristics only when asked for. */
export const FACT_RULES: readonly EdgeRule[] = [
  computeRules,
  networkRules,
  platformRules,
  configurationRules,
  applicationRules,
  kubernetesRules,
];

export interface DetectOptions {
  heuristics?: boolean;
}

/**
 * Runs the rules over one view after another (the inventory a page at a time) and passes on each
 * edge once (same ends and method: the first evidence wins), no self-edges, and no guess where a
 * fact already links the same two nodes. It remembers 53-bit hashes of what it passed on, not
 * the edges. Linear in resources plus edges: each rule walks the types of its view once.
 */
export class EdgeDetector {
  private readonly passed = new HashOrdinals();
  private readonly linked = new HashOrdinals();

  constructor(
    private readonly sink: (edge: Edge) => void,
    private readonly options: DetectOptions = {},
  ) {}

  private readonly emit = (e: Edge): void => {
    if (e.sourceId.toLowerCase() === e.targetId.toLowerCase()) return;
    const pair = hashKey(`${e.sourceId.toLowerCase()}\n${e.targetId.toLowerCase()}`);
    if (e.method === 'heuristic' && this.linked.get(pair) >= 0) return;
    if (!this.passed.setIfAbsent(hashKey(edgeIdentity(e)), 0)) return;
    if (e.method !== 'heuristic') this.linked.setIfAbsent(pair, 0);
    this.sink(e);
  };

  /** The fact rules over some resources. */
  view(view: RuleView): void {
    for (const rule of FACT_RULES) rule(view, this.emit);
  }

  /** After every view: the guesses, when asked for (they give way to any fact found). */
  finish(view: RuleView): void {
    if (this.options.heuristics) heuristicRules(view.nodes, this.emit);
  }
}

/** Every edge of an index held whole in memory. */
export function detectDependencies(index: ResourceIndex, options: DetectOptions = {}): Edge[] {
  const edges: Edge[] = [];
  const detector = new EdgeDetector((e) => edges.push(e), options);
  detector.view(index);
  detector.finish(index);
  return edges;
}
