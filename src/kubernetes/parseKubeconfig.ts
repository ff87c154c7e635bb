import { KubeConfig } from '@kubernetes/client-node';

/** What TopDeck takes from a kubeconfig: where the API server is, whom to trust, how the user signs in. */
export interface ParsedKubeconfig {
  server: string;
  /** PEM of the cluster's certificate authority (absent: the system's trust store). */
  caPem?: string;
  /** A local account's bearer token. */
  token?: string;
  /** A local account's client certificate and key (PEM). */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** The exec plugin the user names (Entra clusters: `kubelogin`): recorded, never run. */
  execCommand?: string;
}

function pem(base64: string | undefined): string | undefined {
  return base64 ? Buffer.from(base64, 'base64').toString('utf8') : undefined;
}

/**
 * Reads the current context of a kubeconfig (YAML or JSON text) with the Kubernetes client's own
 * loader. Throws, naming what is missing, when it has no server.
 */
export function parseKubeconfig(textOrBytes: string | Uint8Array): ParsedKubeconfig {
  const text = typeof textOrBytes === 'string' ? textOrBytes : Buffer.from(textOrBytes).toString('utf8');
  const kc = new KubeConfig();
  kc.loadFromString(text);
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new Error('the kubeconfig has no current cluster with a server URL');
  const user = kc.getCurrentUser();
  const out: ParsedKubeconfig = { server: cluster.server };
  const ca = pem(cluster.caData);
  if (ca) out.caPem = ca;
  if (user?.token) out.token = user.token;
  const cert = pem(user?.certData);
  const key = pem(user?.keyData);
  if (cert && key) {
    out.clientCertPem = cert;
    out.clientKeyPem = key;
  }
  const exec = (user as { exec?: { command?: string } } | null)?.exec;
  if (exec?.command) out.execCommand = exec.command;
  return out;
}
