import { parseResourceId } from '../discovery/Resource';
import { HashOrdinals, NumberColumn, StringColumn, hashKey } from './compact';
import { SUBNET_TYPE, type GraphNode } from './GraphNode';
import { KubernetesLabels } from './KubernetesLabels';
import { hostOf, prop, records, str, strings, type IndexedResource } from './readProperties';

/**
 * What the dependency rules look up across the whole estate, for every node a dependency can
 * point at (the inventory, plus the subnets its virtual networks declare): by id
 * (case-insensitive; a sub-resource's id resolves to its owner), by host name or IP address, a
 * node's type, name and group, and a NIC's virtual machine. Compact (src/dependencies/compact.ts):
 * about 250 bytes per node, nearly all outside the JS heap, so finalize can hold the estate's
 * index while it reads the resources themselves a page at a time.
 */
export class NodeIndex {
  private readonly byId = new HashOrdinals();
  private readonly hosts = new HashOrdinals();
  private readonly ips = new HashOrdinals();
  private readonly ids = new StringColumn();
  private readonly names = new StringColumn();
  /** A NIC's `virtualMachineId` ('' for anything else). */
  private readonly vmOf = new StringColumn();
  private readonly typeCodes = new NumberColumn((n) => new Int32Array(n));
  private readonly groupCodes = new NumberColumn((n) => new Int32Array(n));
  private readonly types: string[] = [];
  private readonly typeCode = new Map<string, number>();
  private readonly groups: Array<{ subscriptionId: string; resourceGroup: string }> = [];
  private readonly groupCode = new Map<string, number>();
  /** Per type asked for, its ordinals by lower-cased `<subscription>/<group>`: built on first use. */
  private readonly inGroup = new Map<string, Map<string, number[]>>();
  /** Kubernetes workloads' pod labels, for Service selectors (src/dependencies/kubernetesRules.ts). */
  readonly kubernetesLabels = new KubernetesLabels();

  get size(): number {
    return this.ids.size;
  }

  private code<T>(list: T[], codes: Map<string, number>, key: string, value: T): number {
    let c = codes.get(key);
    if (c === undefined) {
      c = list.push(value) - 1;
      codes.set(key, c);
    }
    return c;
  }

  private push(
    id: string,
    name: string,
    type: string,
    subscriptionId: string,
    resourceGroup: string,
    vm: string,
  ): number {
    const o = this.ids.push(id);
    this.names.push(name);
    this.vmOf.push(vm);
    this.typeCodes.set(o, this.code(this.types, this.typeCode, type, type));
    this.groupCodes.set(
      o,
      this.code(this.groups, this.groupCode, `${subscriptionId}\n${resourceGroup}`, {
        subscriptionId,
        resourceGroup,
      }),
    );
    return o;
  }

  private isSubnet(o: number): boolean {
    return this.types[this.typeCodes.get(o)] === SUBNET_TYPE;
  }

  /**
   * Adds a resource (the first one wins for an id, for a host name and for a private IP; a public
   * IP address belongs to the last resource that reports it) and the subnets it declares.
   */
  add(r: IndexedResource): void {
    if (!r.id) return;
    const key = hashKey(r.id.toLowerCase());
    const existing = this.byId.get(key);
    if (existing >= 0 && !this.isSubnet(existing)) return;
    const isNic = r.type.toLowerCase() === 'microsoft.network/networkinterfaces';
    const o = this.push(
      r.id,
      r.name,
      r.type,
      r.subscriptionId,
      r.resourceGroup,
      isNic ? (str(r.properties.virtualMachineId) ?? '') : '',
    );
    this.byId.set(key, o);
    this.kubernetesLabels.add(r);
    if (r.type.toLowerCase() === 'microsoft.network/virtualnetworks') {
      for (const s of records(r.properties.subnets)) {
        const id = str(s.id);
        if (!id) continue;
        const subnetKey = hashKey(id.toLowerCase());
        if (this.byId.get(subnetKey) >= 0) continue;
        const name = `${r.name}/${str(s.name) ?? id.split('/').pop()}`;
        this.byId.set(subnetKey, this.push(id, name, SUBNET_TYPE, r.subscriptionId, r.resourceGroup, ''));
      }
    }
    this.indexHosts(o, r.properties);
  }

  private indexHosts(o: number, p: Record<string, unknown>): void {
    const add = (value: unknown) => {
      const h = hostOf(str(value));
      if (h) this.hosts.setIfAbsent(hashKey(h), o);
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
    if (ip) this.ips.set(hashKey(ip), o);
    for (const c of records(p.ipConfigurations)) {
      const pip = str(c.privateIPAddress);
      if (pip) this.ips.setIfAbsent(hashKey(pip), o);
    }
  }

  private ordinal(id: string): number {
    return this.byId.get(hashKey(id.toLowerCase()));
  }

  /** True when the id is a node of the graph (a resource or a subnet). */
  has(id: string): boolean {
    return this.ordinal(id) >= 0;
  }

  /**
   * The node an ARM reference points at: the id itself when known; else its closest known owner
   * (a NIC's ip configuration → the NIC, a scale-set instance's NIC → the scale set); else the
   * top-level resource the id names (an edge to something outside the scanned scope is still a fact).
   */
  resolve(reference: string | undefined): string | undefined {
    if (!reference) return undefined;
    const parts = reference.split('/').filter(Boolean);
    const lower = parts.map((p) => p.toLowerCase());
    const provIdx = lower.lastIndexOf('providers');
    for (let end = parts.length; end >= Math.max(provIdx + 3, 2); end -= 2) {
      const o = this.byId.get(hashKey(`/${lower.slice(0, end).join('/')}`));
      if (o >= 0) return this.ids.get(o);
    }
    const firstProv = lower.indexOf('providers');
    if (firstProv < 0 || !parseResourceId(reference)) return reference;
    return `/${parts.slice(0, firstProv + 4).join('/')}`;
  }

  /** The resource that answers on a host name, or on an IP address. */
  byHost(host: string): string | undefined {
    const h = hashKey(host.toLowerCase());
    const o = this.hosts.get(h);
    const found = o >= 0 ? o : this.ips.get(h);
    return found >= 0 ? this.ids.get(found) : undefined;
  }

  /** The type of a known node. */
  typeOf(id: string): string | undefined {
    const o = this.ordinal(id);
    return o >= 0 ? this.types[this.typeCodes.get(o)] : undefined;
  }

  /** The virtual machine a known network interface is attached to. */
  virtualMachineOfNic(nicId: string): string | undefined {
    const o = this.ordinal(nicId);
    return o >= 0 ? this.vmOf.get(o) || undefined : undefined;
  }

  /** The ids of the known nodes of a type in one resource group (case-insensitive). */
  idsOfTypeInGroup(type: string, subscriptionId: string, resourceGroup: string): string[] {
    const t = type.toLowerCase();
    let byGroup = this.inGroup.get(t);
    if (!byGroup) {
      byGroup = new Map();
      const codes = new Set(this.types.flatMap((x, i) => (x.toLowerCase() === t ? [i] : [])));
      for (let o = 0; o < this.size; o++) {
        if (!codes.has(this.typeCodes.get(o))) continue;
        const g = this.groups[this.groupCodes.get(o)];
        const k = `${g?.subscriptionId}/${g?.resourceGroup}`.toLowerCase();
        const list = byGroup.get(k) ?? [];
        list.push(o);
        byGroup.set(k, list);
      }
      this.inGroup.set(t, byGroup);
    }
    return (byGroup.get(`${subscriptionId}/${resourceGroup}`.toLowerCase()) ?? []).map((o) =>
      this.ids.get(o),
    );
  }

  private nodeAt(o: number): GraphNode {
    const g = this.groups[this.groupCodes.get(o)];
    return {
      id: this.ids.get(o),
      name: this.names.get(o),
      type: this.types[this.typeCodes.get(o)] ?? 'unknown',
      subscriptionId: g?.subscriptionId,
      resourceGroup: g?.resourceGroup,
      external: false,
    };
  }

  /** Every node: the inventory and the subnets, in the order they were added. */
  *all(): IterableIterator<GraphNode> {
    for (let o = 0; o < this.size; o++)
      if (this.byId.get(hashKey(this.ids.get(o).toLowerCase())) === o) yield this.nodeAt(o);
  }

  /** A node for any id an edge may carry, for the graph view and the change history. */
  node(id: string): GraphNode {
    const o = this.ordinal(id);
    if (o >= 0) return this.nodeAt(o);
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
