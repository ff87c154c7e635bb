import { parseResourceId } from '../discovery/Resource';
import { SUBNET_TYPE, type GraphNode } from './GraphNode';

/** The part of a stored resource that dependency rules read. */
export interface IndexedResource {
  id: string;
  name: string;
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  tags: Record<string, string>;
  properties: Record<string, unknown>;
}

/** Reads a property that may be absent or of another shape (Azure's answers vary): never throws. */
export function prop(o: unknown, ...path: string[]): unknown {
  let v: unknown = o;
  for (const p of path) {
    if (!v || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v ? v : undefined;
}

export function records(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v)
    ? v.filter((x): x is Record<string, unknown> => Boolean(x) && typeof x === 'object')
    : [];
}

export function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : [];
}

/** The host of a URL or of a bare host name (`host`, `host:port`); undefined when it is neither. */
export function hostOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.trim();
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return new URL(v).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
  const m = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+)(:\d+)?\/?$/i.exec(v);
  return m?.[1]?.toLowerCase();
}

/**
 * Every node a dependency can point at — the inventory, plus the subnets its virtual networks
 * declare — with look-ups by id (case-insensitive, sub-resource ids resolve to their owner),
 * by type and by host name.
 */
export class ResourceIndex {
  private readonly byId = new Map<string, IndexedResource>();
  private readonly subnets = new Map<string, GraphNode>();
  private readonly byTypeLower = new Map<string, IndexedResource[]>();
  private readonly hosts = new Map<string, string>();
  private readonly ips = new Map<string, string>();

  constructor(resources: Iterable<IndexedResource>) {
    for (const r of resources) {
      if (!r.id) continue;
      const lower = r.id.toLowerCase();
      if (this.byId.has(lower)) continue;
      this.byId.set(lower, r);
      const t = r.type.toLowerCase();
      const list = this.byTypeLower.get(t) ?? [];
      list.push(r);
      this.byTypeLower.set(t, list);
    }
    for (const vnet of this.ofType('Microsoft.Network/virtualNetworks')) {
      for (const s of records(vnet.properties.subnets)) {
        const id = str(s.id);
        if (!id) continue;
        this.subnets.set(id.toLowerCase(), {
          id,
          name: `${vnet.name}/${str(s.name) ?? id.split('/').pop()}`,
          type: SUBNET_TYPE,
          subscriptionId: vnet.subscriptionId,
          resourceGroup: vnet.resourceGroup,
          external: false,
        });
      }
    }
    for (const r of this.byId.values()) this.indexHosts(r);
  }

  private indexHosts(r: IndexedResource): void {
    const p = r.properties;
    const add = (value: unknown) => {
      const h = hostOf(str(value));
      if (h && !this.hosts.has(h)) this.hosts.set(h, r.id);
    };
    const endpoints = prop(p, 'primaryEndpoints');
    if (endpoints && typeof endpoints === 'object') Object.values(endpoints).forEach(add);
    for (const k of [
      'fullyQualifiedDomainName',
      'hostName',
      'documentEndpoint',
      'serviceBusEndpoint',
      'vaultUri',
      'endpoint',
      'defaultHostName',
      'fqdn',
    ])
      add(p[k]);
    for (const h of strings(p.hostNames)) add(h);
    const ip = str(p.ipAddress);
    if (ip) this.ips.set(ip, r.id);
    for (const c of records(p.ipConfigurations)) {
      const pip = str(c.privateIPAddress);
      if (pip && !this.ips.has(pip)) this.ips.set(pip, r.id);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  resources(): IterableIterator<IndexedResource> {
    return this.byId.values();
  }

  subnetNodes(): IterableIterator<GraphNode> {
    return this.subnets.values();
  }

  get(id: string): IndexedResource | undefined {
    return this.byId.get(id.toLowerCase());
  }

  ofType(type: string): IndexedResource[] {
    return this.byTypeLower.get(type.toLowerCase()) ?? [];
  }

  /** True when the id is a node of the graph (a resource or a subnet). */
  has(id: string): boolean {
    const lower = id.toLowerCase();
    return this.byId.has(lower) || this.subnets.has(lower);
  }

  /**
   * The node an ARM reference points at: the id itself when known; else its closest known owner
   * (a NIC's ip configuration → the NIC, a scale-set instance's NIC → the scale set); else the
   * top-level resource the id names (an edge to something outside the scanned scope is still a fact).
   */
  resolve(reference: string | undefined): string | undefined {
    if (!reference) return undefined;
    const parts = reference.split('/').filter(Boolean);
    const provIdx = parts.map((p) => p.toLowerCase()).lastIndexOf('providers');
    for (let end = parts.length; end >= Math.max(provIdx + 3, 2); end -= 2) {
      const candidate = `/${parts.slice(0, end).join('/')}`.toLowerCase();
      const r = this.byId.get(candidate);
      if (r) return r.id;
      const s = this.subnets.get(candidate);
      if (s) return s.id;
    }
    const firstProv = parts.map((p) => p.toLowerCase()).indexOf('providers');
    if (firstProv < 0 || !parseResourceId(reference)) return reference;
    return `/${parts.slice(0, firstProv + 4).join('/')}`;
  }

  /** The resource that answers on a host name, or on an IP address. */
  byHost(host: string): string | undefined {
    const h = host.toLowerCase();
    return this.hosts.get(h) ?? this.ips.get(h);
  }

  /** A node for any id an edge may carry, for the graph view. */
  node(id: string): GraphNode {
    const r = this.get(id);
    if (r)
      return {
        id: r.id,
        name: r.name,
        type: r.type,
        subscriptionId: r.subscriptionId,
        resourceGroup: r.resourceGroup,
        external: false,
      };
    const s = this.subnets.get(id.toLowerCase());
    if (s) return s;
    if (id.startsWith('external:')) return { id, name: id.slice(9), type: 'external', external: true };
    // What Azure DevOps discovery found: not ARM ids, not external either.
    const devops = /^(repository|deployment):(.+)$/.exec(id);
    if (devops) return { id, name: devops[2] as string, type: devops[1] as string, external: false };
    const parsed = parseResourceId(id);
    return {
      id,
      name: parsed?.name ?? id,
      type: parsed?.type ?? 'unknown',
      subscriptionId: parsed?.subscriptionId,
      resourceGroup: parsed?.resourceGroup,
      external: true,
    };
  }
}
