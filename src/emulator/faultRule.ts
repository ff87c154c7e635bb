/**
 * Fault injection: the emulator's fault rules (tests and benchmarks add them) and the error codes
 * and messages Azure answers with, so an injected fault looks like the real one to the SDK.
 */
import type { FaultRule } from './types';

export interface ActiveRule {
  rule: FaultRule;
  regex: RegExp;
  remaining: number;
}

/** The error code Azure gives with `status`, for faults injected without one. */
export function defaultErrorCode(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'InvalidAuthenticationToken';
    case 403:
      return 'AuthorizationFailed';
    case 404:
      return 'ResourceNotFound';
    case 409:
      return 'Conflict';
    case 429:
      return 'TooManyRequests';
    case 500:
      return 'InternalServerError';
    case 502:
      return 'BadGateway';
    case 503:
      return 'ServiceUnavailable';
    case 504:
      return 'GatewayTimeout';
    default:
      return `Http${status}`;
  }
}

/** The scope and permission of a request, as ARM's error messages name them. */
export interface FaultScope {
  subscriptionId?: string;
  resourceGroup?: string;
  /** the read permission the route needs */
  action: string;
}

/** The message Azure gives with `code`, for faults injected without one of their own. */
export function defaultErrorMessage(
  code: string,
  route: FaultScope,
  pathname: string,
  trackingId: string,
): string {
  const scope = route.subscriptionId
    ? `/subscriptions/${route.subscriptionId}${route.resourceGroup ? `/resourceGroups/${route.resourceGroup}` : ''}`
    : '/';
  switch (code) {
    case 'AuthorizationFailed':
      return `The client 'topdeck-scanner' with object id '00000000-0000-0000-0000-00000000e001' does not have authorization to perform action '${route.action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`;
    case 'TooManyRequests':
      return 'The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00. For more information, refer to - https://aka.ms/armthrottling';
    case 'InternalServerError':
      return `Encountered internal server error. Diagnostic information: timestamp '${new Date().toISOString()}', tracking id '${trackingId}', request correlation id '${trackingId}'.`;
    case 'ServiceUnavailable':
      return 'The server is currently unable to handle the request. Please retry the request.';
    case 'GatewayTimeout':
      return `The gateway did not receive a response from 'Microsoft.Compute' within the specified time period.`;
    case 'InvalidAuthenticationToken':
      return 'The access token is invalid.';
    case 'ResourceNotFound':
      return `The Resource '${pathname}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`;
    default:
      return `Injected fault ${code} for '${pathname}'.`;
  }
}

/** Validates a rule and makes its path regex case-insensitive and stateless. */
export function compileRule(rule: FaultRule): ActiveRule {
  if (!(rule.path instanceof RegExp)) throw new TypeError('FaultRule.path must be a RegExp');
  if (!Number.isInteger(rule.status) || rule.status < 100 || rule.status > 599) {
    if (!(rule.reset && rule.status === 0))
      throw new RangeError(`FaultRule.status ${rule.status} is not an HTTP status`);
  }
  if (rule.times !== undefined && !(rule.times >= 0)) throw new RangeError('FaultRule.times must be >= 0');
  // always case-insensitive; never stateful (no g/y, so test() has no lastIndex memory)
  const flags = [...new Set((rule.path.flags + 'i').replace(/[gy]/g, ''))].join('');
  if (rule.body !== undefined && !(rule.body instanceof RegExp))
    throw new TypeError('FaultRule.body must be a RegExp');
  if (rule.body) rule = { ...rule, body: new RegExp(rule.body.source, rule.body.flags.replace(/[gy]/g, '')) };
  return { rule: { ...rule }, regex: new RegExp(rule.path.source, flags), remaining: rule.times ?? Infinity };
}
