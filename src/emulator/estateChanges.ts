/**
 * The demo estate changing itself, as someone working in the portal would: a VM resized, tags
 * changed, an app setting re-pointed to another host, a disk deleted, a public IP created. Each
 * change emits the resource event Azure's system topic would (Event Grid schema, or CloudEvents
 * 1.0 on request) to whoever listens: the local runtime puts them on its `resource-events` queue,
 * so `npm start` users watch the map follow without a scan.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatedResource } from './EmulatedResource';
import type { EmulatedSubscription, Estate } from './estate';
import type { EmulatedVm } from './providers/EmulatedVm';
import { publicIPAddress } from './providers/network';
import { isSite } from './providers/web';

export const ESTATE_CHANGE_KINDS = ['vmSize', 'tags', 'appSetting', 'deleteDisk', 'createPublicIp'] as const;
export type EstateChangeKind = (typeof ESTATE_CHANGE_KINDS)[number];

/** Who the change's claims name (a user by UPN or display name, or an application). */
export interface EmulatedActor {
  upn?: string;
  name?: string;
  appId?: string;
}

export interface EstateChangeRequest {
  kind: EstateChangeKind;
  /** The resource to change; absent: the next suitable one, in a fixed rotation. */
  resourceId?: string;
  actor?: EmulatedActor;
  /** `tags`: the tags to merge in (default: `changedAt` with the time). */
  tags?: Record<string, string>;
  /** `cloudevents`: deliver as CloudEvents 1.0 instead of the Event Grid schema. */
  schema?: 'eventgrid' | 'cloudevents';
}

export interface AppliedChange {
  kind: EstateChangeKind;
  resourceId: string;
  /** The events, in the delivery schema, as Event Grid writes them (JSON). */
  events: Array<Record<string, unknown>>;
  /** When the change was made (epoch milliseconds). */
  at: number;
}

export type ResourceEventSink = (events: Array<Record<string, unknown>>) => Promise<void>;

export class EstateChangeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_ACTOR: EmulatedActor = { upn: 'demo.operator@contoso.example', name: 'Demo Operator' };
const UPN_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';

export class EstateChanges {
  private readonly sinks = new Set<ResourceEventSink>();
  private turn = 0;

  constructor(
    private readonly estate: Estate,
    /** The server's per-subscription look-ups are rebuilt after a resource comes or goes. */
    private readonly reindex: (sub: EmulatedSubscription) => void,
  ) {}

  /** Every applied change's events go to the listener until the returned function is called. */
  subscribe(sink: ResourceEventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  async apply(request: EstateChangeRequest): Promise<AppliedChange> {
    const at = Date.now();
    const done = this.make(request);
    const sub = this.subscriptionOf(done.resourceId);
    const events = done.events.map((e) =>
      this.event(
        sub,
        e.subject,
        e.eventType,
        e.operation,
        at,
        request.actor ?? DEFAULT_ACTOR,
        request.schema,
      ),
    );
    await Promise.all([...this.sinks].map((sink) => sink(events)));
    return { kind: request.kind, resourceId: done.resourceId, events, at };
  }

  private make(r: EstateChangeRequest): {
    resourceId: string;
    events: Array<{ subject: string; eventType: string; operation: string }>;
  } {
    const write = 'Microsoft.Resources.ResourceWriteSuccess';
    switch (r.kind) {
      case 'vmSize': {
        const vm = this.pickVm(r.resourceId);
        const sizes = this.estate.vmSizes;
        const i = sizes.findIndex((s) => s.name === vm.vmSize);
        vm.update({ vmSize: (sizes[(i + 1) % sizes.length] ?? sizes[0])?.name ?? vm.vmSize });
        return {
          resourceId: vm.id,
          events: [
            { subject: vm.id, eventType: write, operation: 'Microsoft.Compute/virtualMachines/write' },
          ],
        };
      }
      case 'tags': {
        const tags = r.tags ?? { changedAt: new Date().toISOString() };
        const vm = r.resourceId ? this.findVm(r.resourceId) : undefined;
        if (vm || !r.resourceId) {
          const target = vm ?? this.pickVm(undefined);
          target.update({ tags: { ...target.tags, ...tags } });
          return {
            resourceId: target.id,
            events: [
              { subject: target.id, eventType: write, operation: 'Microsoft.Compute/virtualMachines/write' },
            ],
          };
        }
        const res = this.findResource(r.resourceId);
        const body = res.body.bind(res);
        res.tags = { ...res.tags, ...tags };
        const current = { ...res.tags };
        res.body = () => ({ ...body(), tags: { ...current } });
        return {
          resourceId: res.id,
          events: [{ subject: res.id, eventType: write, operation: `${res.type}/write` }],
        };
      }
      case 'appSetting': {
        const site = r.resourceId
          ? this.findResource(r.resourceId)
          : this.pick((x) => isSite(x) && 'REDIS_CONNECTION' in x.appSettings);
        if (!isSite(site)) throw new EstateChangeError(400, 'InvalidChange', `${site.id} is not a web app`);
        const caches = this.all().filter((x) => x.type.toLowerCase() === 'microsoft.cache/redis');
        const current = site.appSettings.REDIS_CONNECTION ?? '';
        const next = caches.find((c) => !current.startsWith(`${c.name}.`)) ?? caches[0];
        if (!next)
          throw new EstateChangeError(
            409,
            'NoTarget',
            'the estate has no Redis cache to point the setting at',
          );
        site.appSettings = {
          ...site.appSettings,
          REDIS_CONNECTION: `${next.name}.redis.cache.windows.net:6380,password=demo-${randomUUID()},ssl=True`,
        };
        const subject = `${site.id}/config/appsettings`;
        return {
          resourceId: site.id,
          events: [{ subject, eventType: write, operation: 'Microsoft.Web/sites/config/write' }],
        };
      }
      case 'deleteDisk': {
        const disk = r.resourceId
          ? this.findResource(r.resourceId)
          : this.pick((x) => x.type === 'Microsoft.Compute/disks' && !x.managedBy);
        const sub = this.subscriptionOf(disk.id);
        sub.resources = sub.resources.filter((x) => x !== disk);
        this.reindex(sub);
        return {
          resourceId: disk.id,
          events: [
            {
              subject: disk.id,
              eventType: 'Microsoft.Resources.ResourceDeleteSuccess',
              operation: 'Microsoft.Compute/disks/delete',
            },
          ],
        };
      }
      case 'createPublicIp': {
        const sub = this.estate.subscriptions[
          this.turn++ % this.estate.subscriptions.length
        ] as EmulatedSubscription;
        const rg = sub.resourceGroups[this.turn % sub.resourceGroups.length];
        if (!rg) throw new EstateChangeError(409, 'NoTarget', 'the subscription has no resource group');
        const n = this.turn;
        const pip = publicIPAddress(
          {
            subscriptionId: sub.subscriptionId,
            resourceGroup: rg.name,
            location: rg.location,
            tags: { createdBy: 'demo' },
          },
          `pip-demo-${n}-${randomUUID().slice(0, 6)}`,
          `20.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          undefined,
        );
        const key = pip.id.toLowerCase();
        const at = sub.resources.findIndex((x) => x.id.toLowerCase() > key);
        sub.resources.splice(at < 0 ? sub.resources.length : at, 0, pip);
        this.reindex(sub);
        return {
          resourceId: pip.id,
          events: [
            { subject: pip.id, eventType: write, operation: 'Microsoft.Network/publicIPAddresses/write' },
          ],
        };
      }
      default:
        throw new EstateChangeError(
          400,
          'InvalidChange',
          `unknown change kind ${JSON.stringify((r as { kind?: unknown }).kind)}; use one of ${ESTATE_CHANGE_KINDS.join(', ')}`,
        );
    }
  }

  private all(): EmulatedResource[] {
    return this.estate.subscriptions.flatMap((s) => s.resources);
  }

  private vms(): EmulatedVm[] {
    return this.estate.subscriptions.flatMap((s) => s.vms);
  }

  private findVm(id: string): EmulatedVm | undefined {
    return this.vms().find((v) => v.id.toLowerCase() === id.toLowerCase());
  }

  private pickVm(id: string | undefined): EmulatedVm {
    if (id) {
      const vm = this.findVm(id);
      if (!vm) throw new EstateChangeError(404, 'ResourceNotFound', `no VM ${id} in the demo estate`);
      return vm;
    }
    const vms = this.vms();
    const vm = vms[(this.turn++ * 7919) % Math.max(1, vms.length)];
    if (!vm) throw new EstateChangeError(409, 'NoTarget', 'the demo estate has no VM');
    return vm;
  }

  private findResource(id: string): EmulatedResource {
    const r = this.all().find((x) => x.id.toLowerCase() === id.toLowerCase());
    if (!r) throw new EstateChangeError(404, 'ResourceNotFound', `no resource ${id} in the demo estate`);
    return r;
  }

  /** The next resource `keep` accepts, in a fixed rotation through the estate. */
  private pick(keep: (r: EmulatedResource) => boolean): EmulatedResource {
    const list = this.all().filter(keep);
    const r = list[(this.turn++ * 7919) % Math.max(1, list.length)];
    if (!r)
      throw new EstateChangeError(409, 'NoTarget', 'the demo estate has nothing left to change of that kind');
    return r;
  }

  private subscriptionOf(id: string): EmulatedSubscription {
    const sub = this.estate.subscriptions.find((s) =>
      id.toLowerCase().startsWith(`/subscriptions/${s.subscriptionId.toLowerCase()}/`),
    );
    if (!sub) throw new EstateChangeError(404, 'SubscriptionNotFound', `no subscription holds ${id}`);
    return sub;
  }

  /** A resource event as Azure's system topic writes it (the claims carry only what tests need). */
  private event(
    sub: EmulatedSubscription,
    subject: string,
    eventType: string,
    operation: string,
    at: number,
    actor: EmulatedActor,
    schema: EstateChangeRequest['schema'],
  ): Record<string, unknown> {
    const claims: Record<string, string> = {
      aud: 'https://management.core.windows.net/',
      iss: `https://sts.windows.net/${this.estate.tenantId}/`,
      oid: randomUUID(),
      ipaddr: '203.0.113.7',
      ...(actor.upn ? { [UPN_CLAIM]: actor.upn } : {}),
      ...(actor.name ? { name: actor.name } : {}),
      ...(actor.appId ? { appid: actor.appId } : {}),
    };
    const data = {
      authorization: { scope: subject, action: operation, evidence: { role: 'Contributor' } },
      claims,
      correlationId: randomUUID(),
      operationName: operation,
      resourceProvider: operation.split('/')[0],
      resourceUri: subject,
      status: 'Succeeded',
      subscriptionId: sub.subscriptionId,
      tenantId: this.estate.tenantId,
    };
    const time = new Date(at).toISOString();
    const topic = `/subscriptions/${sub.subscriptionId}`;
    return schema === 'cloudevents'
      ? { specversion: '1.0', id: randomUUID(), source: topic, subject, type: eventType, time, data }
      : {
          id: randomUUID(),
          topic,
          subject,
          eventType,
          eventTime: time,
          data,
          dataVersion: '2',
          metadataVersion: '1',
        };
  }
}
