import { parseRetryAfterMs } from '../errors/classifyError';
import { TopDeckError } from '../errors/TopDeckError';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Codes of errors that mean the API server could not be reached at all (private cluster, firewall). */
export const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['KubernetesUnreachable', 'KubernetesTimeout']);

function networkCode(e: unknown): string | undefined {
  for (let x: unknown = e, depth = 0; x && typeof x === 'object' && depth < 5; depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    x = (x as { cause?: unknown }).cause;
  }
  const message = e instanceof Error ? e.message : String(e);
  return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|socket hang up/.exec(message)?.[0];
}

/**
 * A Kubernetes client failure as TopDeck's error, with a message naming what to fix. 429 and
 * 5xx are transient (retried); a network failure is transient for the retry policy, and the
 * extension turns one that outlives its retries into the task's permanent failure.
 */
export function kubernetesError(e: unknown, cluster: string, what: string): TopDeckError {
  if (e instanceof TopDeckError) return e;
  const status = (e as { code?: unknown }).code;
  if (typeof status === 'number' && status >= 100) {
    const headers = ((e as { headers?: Record<string, string> }).headers ?? {}) as Record<string, string>;
    const base = `Kubernetes API of cluster ${cluster} answered ${status} to listing ${what}`;
    if (status === 401)
      return new TopDeckError({
        code: 'KubernetesUnauthorized',
        statusCode: 401,
        transient: false,
        message: `${base}: the token was refused. An Entra ID cluster needs a token for the AKS server application (6dae42f8-4368-4678-94ff-3960e28e3630) from TopDeck's identity; a local-account cluster, local accounts enabled and 'Azure Kubernetes Service Cluster User Role' on the cluster`,
      });
    if (status === 403)
      return new TopDeckError({
        code: 'KubernetesForbidden',
        statusCode: 403,
        transient: false,
        message: `${base}: grant TopDeck's identity 'Azure Kubernetes Service RBAC Reader' on the cluster (Azure RBAC for Kubernetes), or on a cluster using Kubernetes RBAC a ClusterRoleBinding to a role that may list ${what}`,
      });
    const transient = status === 429 || status === 408 || status >= 500;
    const retryAfterMs = parseRetryAfterMs(headers);
    return new TopDeckError({
      code: transient ? 'KubernetesUnavailable' : 'KubernetesRequestFailed',
      statusCode: status,
      transient,
      message: base,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  const net = networkCode(e);
  if (net)
    return new TopDeckError({
      code: 'KubernetesUnreachable',
      transient: true,
      message: `the Kubernetes API server of cluster ${cluster} could not be reached (${net}) listing ${what}: a private cluster is reachable only from its virtual network (integrate the function app with it, or use a cluster with a public API server and authorised IP ranges that include the function app's outbound addresses)`,
      cause: e,
    });
  return new TopDeckError({
    code: 'KubernetesRequestFailed',
    transient: false,
    message: `listing ${what} of cluster ${cluster} failed: ${e instanceof Error ? e.message : String(e)}`,
  });
}
