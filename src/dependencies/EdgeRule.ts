import type { Edge } from './Edge';
import type { ResourceIndex } from './ResourceIndex';

/** One family of edge rules: reads the index, emits edges (duplicates are dropped by the caller). */
export type EdgeRule = (index: ResourceIndex, emit: (edge: Edge) => void) => void;
