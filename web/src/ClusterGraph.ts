import cytoscape, {
  type Core,
  type ElementDefinition,
  type NodeCollection,
  type NodeSingular,
} from 'cytoscape';
import fcose from 'cytoscape-fcose';
import type { ClusterModel } from './clusterModel';
import type { GraphSnapshot } from './GraphSnapshot';
import { clusterGraphStyle, nodeFamily } from './clusterGraphStyle';
import { memberGrid } from './memberGrid';
import type { Edge } from './types';

cytoscape.use(fcose);

/** Room made around an expanded cluster, kept to give it back on collapse, in graph units. */
interface Room {
  x: number;
  y: number;
  dx: number;
  dy: number;
}

/** Space left between an expanded cluster's members and its neighbours, in graph units. */
const MARGIN = 60;

/**
 * Past this many members an open cluster draws its inner edges as plain lines without arrows (the
 * panel tells the direction): curved edges with arrows cost most of each frame at hundreds.
 */
const DENSE_MEMBERS = 150;

/**
 * An open cluster's frame around its members' centres, in graph units: a member's size and a
 * margin each side, and below, its label's height (dy: the frame's centre is that much lower).
 */
const ROOM_PAD = { x: 18 + 2 * 24, y: 18 + 14 + 2 * 24, dy: 7 };

/** Longest label drawn under a resource, in characters (the panel has the full name). */
const LABEL_CHARS = 18;

/** A label cut here rather than by the renderer's ellipsis, which measures the text over and over. */
function shortLabel(name: string): string {
  return name.length > LABEL_CHARS ? `${name.slice(0, LABEL_CHARS - 1)}…` : name;
}

function clusterSize(count: number): number {
  return Math.round(Math.min(140, 26 + 7 * Math.sqrt(count)));
}

/**
 * The graph as clusters first: one node per cluster, one edge per pair of clusters. A cluster
 * expands in place into its members drawn on its node, grown into a frame (its inner edges drawn, its edges to other
 * clusters still the aggregated ones) and collapses back; the rest of the graph moves aside to
 * make room and back again, so the overview a person has learnt stays where it was.
 */
export class ClusterGraph {
  readonly cy: Core;
  private readonly rooms = new Map<string, Room>();
  /** The members drawn for each open cluster. */
  private readonly members = new Map<string, NodeCollection>();
  private edgeSeq = 0;

  constructor(
    container: HTMLElement,
    readonly model: ClusterModel,
  ) {
    const elements: ElementDefinition[] = [
      ...model.clusters.map((c) => ({
        group: 'nodes' as const,
        data: {
          id: c.id,
          label: `${c.name} · ${c.members.length}`,
          name: c.name,
          count: c.members.length,
          size: clusterSize(c.members.length),
        },
        classes: `cluster kind-${c.kind}`,
      })),
      ...model.aggregates.map((a) => ({
        group: 'edges' as const,
        data: {
          id: a.id,
          source: a.source,
          target: a.target,
          label: String(a.count),
          count: a.count,
          category: a.category,
          width: Math.min(10, 1.5 + Math.log2(a.count)),
        },
        classes: `aggregate ${a.category}`,
      })),
    ];
    this.cy = cytoscape({
      container,
      elements,
      pixelRatio: 1,
      // While the user pans or zooms, one cached bitmap of the view: an open cluster of 500
      // resources and their edges would otherwise be drawn again every frame (~80 ms).
      textureOnViewport: true,
      minZoom: 0.02,
      maxZoom: 4,
      style: clusterGraphStyle(),
      layout: {
        name: 'fcose',
        quality: 'default',
        randomize: true,
        animate: false,
        nodeRepulsion: 45000,
        idealEdgeLength: 160,
        nodeSeparation: 120,
        padding: 30,
      } as cytoscape.LayoutOptions,
    });
  }

  isExpanded(clusterId: string): boolean {
    return this.rooms.has(clusterId);
  }

  /** The drawn id of an edge end: graph edges may spell an id in another casing than its node. */
  private nodeId(id: string): string | undefined {
    return this.model.nodeById.get(id.toLowerCase())?.id;
  }

  private edgeElement(e: Edge, cls: string): ElementDefinition | undefined {
    const source = this.nodeId(e.sourceId);
    const target = this.nodeId(e.targetId);
    if (!source || !target) return undefined;
    return {
      group: 'edges',
      data: { id: `e${++this.edgeSeq}`, source, target, category: e.category },
      classes: `${cls} ${e.category}`,
    };
  }

  /**
   * Moves every other cluster away from (x, y) by (dx, dy) times sign, each on its own side; an open
   * one moves with its members.
   */
  private shiftOthers(except: string, room: Room, sign: 1 | -1): void {
    for (const o of this.cy.nodes('.cluster')) {
      const id = o.id();
      if (id === except) continue;
      const p = o.position();
      const by = {
        x: p.x > room.x ? sign * room.dx : p.x < room.x ? -sign * room.dx : 0,
        y: p.y > room.y ? sign * room.dy : p.y < room.y ? -sign * room.dy : 0,
      };
      if (by.x === 0 && by.y === 0) continue;
      o.shift(by);
      this.members.get(id)?.shift(by);
    }
  }

  /** Draws the cluster's members in its place; false when it is unknown or already expanded. */
  expand(clusterId: string): boolean {
    const cluster = this.model.clusterById.get(clusterId);
    const node = this.cy.getElementById(clusterId);
    if (!cluster || node.empty() || this.rooms.has(clusterId)) return false;
    const centre = { ...node.position() };
    const grid = memberGrid(cluster.members);
    const radius = node.width() / 2;
    const room: Room = {
      ...centre,
      dx: Math.max(0, grid.width / 2 + MARGIN - radius),
      dy: Math.max(0, grid.height / 2 + MARGIN - radius),
    };
    const members: ElementDefinition[] = cluster.members.map((n) => {
      const off = grid.offsets.get(n.id) ?? { x: 0, y: 0 };
      return {
        group: 'nodes',
        data: {
          id: n.id,
          label: shortLabel(n.name),
          cluster: clusterId,
          key: n.key ?? '',
          type: n.type,
        },
        position: { x: centre.x + off.x, y: centre.y + off.y },
        classes: n.external ? 'resource external' : `resource family-${nodeFamily(n)}`,
      };
    });
    const cls = cluster.members.length > DENSE_MEMBERS ? 'member dense' : 'member';
    const inner = (this.model.internal.get(clusterId) ?? []).flatMap((e) => this.edgeElement(e, cls) ?? []);
    let drawn: NodeCollection | undefined;
    this.cy.batch(() => {
      this.shiftOthers(clusterId, room, 1);
      // The cluster's node becomes the frame behind its members (plain nodes, not compound
      // children: a compound parent makes every style change of a member dirty the whole cluster).
      node.data({ roomWidth: grid.width + ROOM_PAD.x, roomHeight: grid.height + ROOM_PAD.y });
      node.position({ x: centre.x, y: centre.y + ROOM_PAD.dy });
      node.addClass('expanded');
      node.ungrabify();
      drawn = this.cy.add([...members, ...inner]).nodes();
    });
    this.rooms.set(clusterId, room);
    if (drawn) this.members.set(clusterId, drawn);
    return true;
  }

  collapse(clusterId: string): boolean {
    const room = this.rooms.get(clusterId);
    const node = this.cy.getElementById(clusterId);
    if (!room || node.empty()) return false;
    this.cy.batch(() => {
      const drawn = this.members.get(clusterId);
      if (drawn) this.cy.remove(drawn);
      node.removeClass('expanded');
      node.grabify();
      node.position({ x: room.x, y: room.y });
      this.shiftOthers(clusterId, room, -1);
    });
    this.rooms.delete(clusterId);
    this.members.delete(clusterId);
    return true;
  }

  collapseAll(): void {
    for (const id of [...this.rooms.keys()].reverse()) this.collapse(id);
  }

  /** Expands the cluster holding the node and answers the node drawn, if the model has it. */
  reveal(id: string): NodeSingular | undefined {
    const lower = id.toLowerCase();
    const clusterId = this.model.clusterOfNode.get(lower);
    const n = this.model.nodeById.get(lower);
    if (!clusterId || !n) return undefined;
    this.expand(clusterId);
    const drawn = this.cy.getElementById(n.id);
    return drawn.nonempty() ? drawn : undefined;
  }

  /** Reveals, selects and centres a node; undefined when the (filtered) graph does not hold it. */
  focus(id: string): NodeSingular | undefined {
    const n = this.reveal(id);
    if (!n) return undefined;
    this.cy.$(':selected').unselect();
    n.select();
    this.cy.stop();
    this.cy.animate({ center: { eles: n }, zoom: Math.max(this.cy.zoom(), 1.2) }, { duration: 200 });
    return n;
  }

  /** Draws edges between drawn nodes (a blast radius's), marked with `cls`; answers how many. */
  drawEdges(edges: Edge[], cls: string): number {
    const drawn = (id: unknown) => this.cy.getElementById(String(id)).nonempty();
    const add = edges
      .flatMap((e) => this.edgeElement(e, cls) ?? [])
      .filter((e) => drawn(e.data.source) && drawn(e.data.target));
    this.cy.add(add);
    return add.length;
  }

  view(): GraphSnapshot {
    const selected = this.cy.$('node:selected');
    return {
      nodes: this.cy.nodes().map((n) => ({
        id: n.id(),
        kind: n.hasClass('cluster') ? ('cluster' as const) : ('resource' as const),
        label: String(n.data('label') ?? ''),
        ...(n.data('cluster') ? { cluster: n.data('cluster') as string } : {}),
      })),
      edges: this.cy.edges().map((e) => ({
        id: e.id(),
        source: e.data('source') as string,
        target: e.data('target') as string,
        kind: e.hasClass('aggregate')
          ? ('aggregate' as const)
          : e.hasClass('blast')
            ? ('blast' as const)
            : ('edge' as const),
        category: String(e.data('category') ?? ''),
        ...(e.hasClass('aggregate') ? { count: e.data('count') as number } : {}),
      })),
      clusters: this.model.clusters.map((c) => ({
        id: c.id,
        name: c.name,
        kind: c.kind,
        count: c.members.length,
        expanded: this.rooms.has(c.id),
      })),
      expanded: [...this.rooms.keys()],
      selected: selected.nonempty() ? selected.first().id() : null,
    };
  }
}
