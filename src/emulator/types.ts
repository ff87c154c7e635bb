import type { KubernetesLookAlike } from './kubernetes/startKubernetesLookAlike';
import type { Estate } from './estate';
import type { AppliedChange, EstateChangeRequest, ResourceEventSink } from './estateChanges';

export interface FaultRule {
  /** case-insensitive regex tested against the request path (without query) */
  path: RegExp;
  /**
   * only requests for this 1-based page number of a paged list (page from the $skiptoken; for a
   * Resource Graph query, from the `$skipToken` in its body); undefined = any page
   */
  page?: number;
  /** only requests whose JSON body matches (a Resource Graph query's text, subscriptions, options) */
  body?: RegExp;
  /** only when the query has statusOnly=true (true) / lacks it (false); undefined = either */
  statusOnly?: boolean;
  /** e.g. 500, 429, 403 */
  status: number;
  /** how many matching requests fail before the rule stops firing; undefined/Infinity = always */
  times?: number;
  /**
   * Sent as Retry-After on 429/503. Undefined: a 429 gets the emulator's
   * `retryAfterSeconds` (ARM always sends one), a 503 none. Negative: no header
   * at all (to test a client against a bare 429).
   */
  retryAfterSeconds?: number;
  /** ARM error code in the body, e.g. "AuthorizationFailed"; default derived from status */
  code?: string;
  /** error message in the body; default a realistic one for the code */
  message?: string;
  /** drop the connection without any response instead (a "connection reset"); status is then only logged */
  reset?: boolean;
}

/** A provider namespace reported (and enforced) as not registered: in every subscription, or in one. */
export type UnregisteredProvider = string | { subscriptionId: string; namespace: string };

export interface ArmEmulatorOptions {
  /** App workloads in each AKS cluster's Kubernetes look-alike (src/emulator/kubernetes/). */
  kubernetesWorkloadsPerCluster?: number;
  /** Added to each of the look-alike's list answers, in milliseconds. */
  kubernetesLatencyMs?: number;
  /** default 42; same seed => identical estate */
  seed?: number;
  /** default 3 */
  subscriptionCount?: number;
  /** overrides generated GUIDs (and then sets the subscription count) */
  subscriptionIds?: string[];
  /** default 125 (about 2,000 resources over 3 subscriptions when connected) */
  vmsPerSubscription?: number;
  /** default true: the applications around the VMs (see connectedEstate.ts); false = VMs only */
  connected?: boolean;
  /** actions answered 403 AuthorizationFailed, e.g. `Microsoft.Web/sites/config/list/action` (Reader lacks it) */
  denyActions?: string[];
  /** default 100 (items per page of list calls) */
  pageSize?: number;
  /** Resource Graph's per-caller quota; default Azure's (15 queries per 5 s); false = unmetered */
  graphQuota?: { queries: number; windowMs: number } | false;
  /** Resource Graph rows per page, default (and at most, as in Azure) 1,000 */
  graphPageSize?: number;
  /** added to every response, default 0 */
  latencyMs?: number;
  /** 0..1 probability of a 429 with Retry-After (seeded RNG), default 0 */
  throttleRate?: number;
  /** 0..1 probability of a 500/503, default 0 */
  errorRate?: number;
  /** default 1 */
  retryAfterSeconds?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** default 0 (free port) */
  port?: number;
  /** providers answered as NotRegistered; their list calls fail with 409 MissingSubscriptionRegistration */
  unregisteredProviders?: UnregisteredProvider[];
}

export interface EmulatorStats {
  /** every request received */
  requests: number;
  /** requests per route name (e.g. "virtualMachines.listAll"; "unknown" for unmatched paths) */
  byRoute: Record<string, number>;
  /** random 429s injected by `throttleRate` */
  throttled: number;
  /** responses produced by fault rules */
  faults: number;
  /** random 500/503s injected by `errorRate` */
  errors: number;
  /** responses per HTTP status ("0" = connection reset by a fault rule) */
  byStatus: Record<string, number>;
}

export interface RequestLogEntry {
  /** epoch ms when the request arrived */
  at: number;
  method: string;
  /** path as received, without the query */
  path: string;
  /** the query string as received ("" or starting with "?") */
  query: string;
  status: number;
}

export interface ArmEmulator {
  /** e.g. https://127.0.0.1:PORT */
  endpoint: string;
  /** The AKS clusters' Kubernetes API look-alike (same certificate). */
  kubernetes?: KubernetesLookAlike;
  /** PEM of the self-signed cert (trust it via tlsOptions {ca} or NODE_EXTRA_CA_CERTS) */
  caPem: string;
  /** the PEM written to a temp file (removed by close()) */
  caFile: string;
  /** the generated data (subscriptions, VMs with all fields) so tests can compare */
  estate: Estate;
  stats(): EmulatorStats;
  /** zeroes the counters and empties the request log */
  resetStats(): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /**
   * Rewrites the full-listing body of the VMs whose name matches (schema drift: a field in an
   * unexpected shape); undefined clears it.
   */
  driftVm(
    name: RegExp | undefined,
    rewrite?: (body: Record<string, unknown>) => Record<string, unknown>,
  ): void;
  /**
   * Rewrites the list bodies of every non-VM resource whose canonical type matches (odd shapes,
   * extra or missing fields, an item twice); undefined clears it. VMs: `driftVm`.
   */
  driftResources(
    type: RegExp | undefined,
    rewrite?: (body: Record<string, unknown>) => Record<string, unknown>,
  ): void;
  /** Takes a resource out of the estate without an event (deleted between two scans); false when absent. */
  removeResource(id: string): boolean;
  /** bounded (last 50k), oldest first */
  requestLog(): RequestLogEntry[];
  /** Changes the estate and emits the resource event Azure would (src/emulator/estateChanges.ts). */
  changeEstate(change: EstateChangeRequest): Promise<AppliedChange>;
  /** Receives every change's events (the local runtime queues them); returns the unsubscribe. */
  onResourceEvents(sink: ResourceEventSink): () => void;
  close(): Promise<void>;
}
