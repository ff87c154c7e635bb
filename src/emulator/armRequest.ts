/**
 * Reading an ARM request as the emulator serves it (its path's scope, the provider route that
 * serves it, its page) and ARM's error reply shape.
 */
import type { IncomingMessage } from 'node:http';
import type { MatchedRoute } from './EmulatorProvider';
import type { FaultScope } from './faultRule';
import { matchTypeRoute } from './providerRoutes';
import { EMULATOR_PROVIDERS } from './providers/emulatorProviders';

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** destroy the socket instead of answering */
  reset?: boolean;
}

/** Where a request points, read from its path alone (for error scopes and rate-limit headers). */
export interface RouteMatch {
  /** the route it is counted under; `unknown` when no provider serves the path */
  name: string;
  subscriptionId?: string;
  resourceGroup?: string;
  namespace?: string;
  /** the provider route that serves it, when one does */
  route?: MatchedRoute;
}

export function armError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Reply {
  return { status, body: { error: { code, message } }, headers };
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function splitPath(pathname: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of pathname.split('/')) {
    if (raw === '') continue;
    try {
      out.push(decodeURIComponent(raw));
    } catch {
      return undefined;
    }
  }
  return out;
}

/** The scope a path names: `/subscriptions/{s}[/resourceGroups/{rg}][/providers/{ns}...]`. */
export function describePath(segments: readonly string[]): RouteMatch {
  const s = segments.map((x) => x.toLowerCase());
  if (s.length === 0 || s[0] !== 'subscriptions' || s.length === 1) return { name: 'unknown' };
  const subscriptionId = segments[1];
  if (s[2] === 'providers') return { name: 'unknown', subscriptionId, namespace: segments[3] };
  if (s[2] === 'resourcegroups' && s.length > 3)
    return { name: 'unknown', subscriptionId, resourceGroup: segments[3], namespace: segments[5] };
  return { name: 'unknown', subscriptionId };
}

/** The first registered provider's route for the path, else the generic type routes'. */
export function matchProviders(segments: readonly string[], method: string): MatchedRoute | undefined {
  const lower = segments.map((x) => x.toLowerCase());
  for (const provider of EMULATOR_PROVIDERS) {
    const route = provider.match?.(segments, lower, method);
    if (route) return route;
  }
  return matchTypeRoute(segments, lower);
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

export function decodeSkipToken(token: string): number | undefined {
  const m = /^offset:(\d{1,9})$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/** The 1-based page of a Resource Graph query (its body's `options.$skipToken`); undefined for any other request. */
export function graphRequestPage(body: unknown, graphPageSize: number | undefined): number | undefined {
  if (!body || typeof body !== 'object' || typeof (body as { query?: unknown }).query !== 'string')
    return undefined;
  const token = (body as { options?: { $skipToken?: unknown } }).options?.$skipToken;
  const offset = Number(/^offset:(\d+)$/.exec(String(token ?? ''))?.[1] ?? 0);
  return Math.floor(offset / Math.min(1000, Math.max(1, graphPageSize ?? 1000))) + 1;
}

export function faultScope(route: RouteMatch): FaultScope {
  return {
    subscriptionId: route.subscriptionId,
    resourceGroup: route.resourceGroup,
    action: route.route?.action ?? 'Microsoft.Resources/subscriptions/read',
  };
}
