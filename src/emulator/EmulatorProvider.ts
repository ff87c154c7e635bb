/**
 * What one emulated resource provider (a Resource Manager namespace) contributes to the ARM
 * emulator. Every provider is listed once in providers/emulatorProviders.ts; the server, the
 * generic type routes, the provider registration answers and the estate generator all read that
 * list, so adding a provider is its module plus one line there.
 */
import type { EmulatedResource } from './EmulatedResource';
import type { EmulatedResourceGroup, Estate } from './estate';
import type { EmulatedVm } from './providers/EmulatedVm';
import type { SubscriptionResources } from './SubscriptionResources';
import type { ArmEmulatorOptions } from './types';

export interface RouteReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request as a route sees it, after authentication, api-version and fault injection. */
export interface RouteRequest {
  pathname: string;
  apiVersion: string;
  /** index of the first item the `$skiptoken` asks for; undefined when the token is invalid */
  offset: number | undefined;
  /** query parameters, names lower-cased, first value wins */
  query: Map<string, string>;
  /** the parsed JSON body of a POST (undefined when absent or not JSON) */
  body?: unknown;
  /** who is calling: the request's Authorization header (a per-caller quota's key) */
  caller: string;
}

/** What a route needs from the server. */
export interface ProviderRouteContext {
  estate: Estate;
  /** the registered providers, in registration order (provider registration answers) */
  providers: readonly EmulatorProvider[];
  /** state a provider keeps for the emulator's lifetime (a quota), made once per key */
  state<T>(key: string, create: (options: ArmEmulatorOptions) => T): T;
  subscription(subscriptionId: string): SubscriptionResources | undefined;
  subscriptions(): SubscriptionResources[];
  /**
   * A paged answer (Resource Manager's `{value, nextLink}`) of `values`, each passed through `map`
   * when given (so bodies are built only for the page served); `extraQuery` is carried into nextLink.
   */
  page<T>(
    values: readonly T[],
    pathname: string,
    apiVersion: string,
    offset: number | undefined,
    extraQuery: string[],
    map?: (value: T) => unknown,
  ): RouteReply;
  isUnregistered(subscriptionId: string, namespace: string): boolean;
  /** 403 for an action the identity lacks (the emulator's `denyActions`), else undefined */
  denied(action: string, scope: string): RouteReply | undefined;
  error(status: number, code: string, message: string): RouteReply;
  /** the emulator's schema-drift hook (tests): a body as the list returns it */
  transform(type: string, body: Record<string, unknown>): Record<string, unknown>;
  /** a VM's full body after the emulator's VM drift hook (tests) */
  vmBody(vm: EmulatedVm): unknown;
}

/** A route a provider recognised; `serve` runs only when the request's method is `method`. */
export interface MatchedRoute {
  /** the name the emulator counts requests under (`stats().byRoute`) */
  name: string;
  method: string;
  /** the permission the route needs, named in injected 403 messages (default: subscription read) */
  action?: string;
  serve(ctx: ProviderRouteContext, request: RouteRequest): RouteReply;
}

/** Where a generated resource may go, and what is already there. */
export interface ProviderGenerationInput {
  seed: number;
  subscriptionIndex: number;
  subscriptionId: string;
  tenantId: string;
  resourceGroups: readonly EmulatedResourceGroup[];
  vms: readonly EmulatedVm[];
  /** the connected estate's resources of this subscription so far */
  resources: readonly EmulatedResource[];
}

export interface EmulatorProvider {
  /** e.g. `Microsoft.Storage`; listed, in this order, by the provider registration routes */
  namespace: string;
  /** the types whose lists and GETs the generic type routes serve for this provider */
  types?: readonly string[];
  /** types whose list is one unpaged answer, as Azure gives it (Cosmos DB accounts) */
  unpagedTypes?: readonly string[];
  /**
   * How a type's list shows a body when it gives less than a GET (an App Service plan in the
   * subscription-wide list without `detailed=true`: `numberOfSites` 0, as Azure gives it).
   */
  listed?: Readonly<
    Record<
      string,
      (
        body: Record<string, unknown>,
        list: { subscriptionWide: boolean; query: Map<string, string> },
      ) => Record<string, unknown>
    >
  >;
  /** GETs of a type that answer with something other than a stored resource's body */
  get?: Readonly<Record<string, (id: string, index: SubscriptionResources) => RouteReply | undefined>>;
  /**
   * Routes of the provider's own (tried, in registration order, before the generic type routes).
   * `segments` are the decoded path segments; `lower` the same, lower-cased (ARM ignores case).
   */
  match?(segments: readonly string[], lower: readonly string[], method: string): MatchedRoute | undefined;
  /** the `resourceTypes` of the provider's registration answer */
  resourceTypes?(estate: Estate): unknown[];
  /**
   * Resources of this provider beyond the connected applications, per subscription. Draw from a
   * Prng of your own (`new Prng(mixSeed(input.seed, <your salt>, input.subscriptionIndex))`).
   */
  generate?(input: ProviderGenerationInput): EmulatedResource[];
}
