import type { TableClient } from '@azure/data-tables';
import { entityToResource } from '../storage/resourceEntity';
import { NodeIndex } from './NodeIndex';

/** How long the estate's look-ups serve refreshes before they are read again, in milliseconds. */
const DEFAULT_TTL_MS = 5 * 60_000;

/**
 * The estate's look-ups (ids, host names, IP addresses) an event's edge refresh needs, read once
 * and kept for a while: reading 10,000 rows per event would cost seconds. Refreshed resources are
 * added as they come; a deletion or a moved host name is seen at the next read (within the TTL)
 * and by the next scan's finalize, which recomputes every edge.
 */
export class NodeIndexCache {
  private current?: { index: Promise<NodeIndex>; at: number };

  constructor(
    private readonly resources: TableClient,
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<NodeIndex> {
    if (!this.current || this.now() - this.current.at > this.ttlMs) {
      const index = this.read();
      this.current = { index, at: this.now() };
      // a failed read is not kept: the next refresh tries again
      index.catch(() => {
        if (this.current?.index === index) this.current = undefined;
      });
    }
    return this.current.index;
  }

  /** Forget the look-ups (a scan finalized: its graph is the new truth). */
  clear(): void {
    this.current = undefined;
  }

  /**
   * Reads the look-ups again now, in the background, once they have been used: after a scan, the
   * next event's edges should not wait for 10,000 rows. A process that never refreshed reads none.
   */
  renew(): void {
    const used = this.current !== undefined;
    this.current = undefined;
    if (used) this.get().catch(() => undefined);
  }

  private async read(): Promise<NodeIndex> {
    const nodes = new NodeIndex();
    for await (const page of this.resources.listEntities().byPage({ maxPageSize: 1000 }))
      for (const e of page) if (typeof e.id === 'string' && e.id) nodes.add(entityToResource(e));
    return nodes;
  }
}
