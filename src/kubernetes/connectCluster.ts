import type { TokenCredential } from '@azure/identity';
import type { ArmClients } from '../discovery/armClients';
import { parseResourceId } from '../discovery/Resource';
import { sdk } from '../discovery/sdk';
import { TopDeckError } from '../errors/TopDeckError';
import { registerSecret } from '../telemetry/redact';
import type { ClusterContext } from './ClusterContext';
import type { ClusterEndpoint } from './KubernetesClient';
import { parseKubeconfig } from './parseKubeconfig';

/** The AKS server application (Entra ID): what a token for an Entra cluster's API server is issued for. */
export const AKS_SERVER_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';

export interface ClusterConnection {
  context: ClusterContext;
  endpoint: ClusterEndpoint;
  /** Managed Entra ID (`properties.aadProfile`): called with an Entra token, not the kubeconfig's user. */
  entra: boolean;
}

/**
 * A cluster's API server, trust and sign-in: `managedClusters.get` for its facts, then
 * `listClusterUserCredential` (Cluster User Role) for the kubeconfig's server and CA. An Entra
 * cluster's kubeconfig names `kubelogin` as an exec plugin: it is not run (it is not installed
 * where the functions run); the token comes from TopDeck's own credential for the AKS server
 * application. A local-account cluster uses the kubeconfig user's token or client certificate.
 * Tokens stay in memory and are registered for redaction; they are never written anywhere.
 */
export async function connectCluster(
  arm: ArmClients,
  credential: TokenCredential,
  clusterId: string,
): Promise<ClusterConnection> {
  const parsed = parseResourceId(clusterId);
  if (!parsed)
    throw new TopDeckError({
      code: 'ValidationError',
      transient: false,
      message: `not a cluster id: ${clusterId}`,
    });
  const client = arm.client(sdk.containerService().ContainerServiceClient, parsed.subscriptionId);
  const cluster = await client.managedClusters.get(parsed.resourceGroup, parsed.name);
  const credentials = await client.managedClusters.listClusterUserCredentials(
    parsed.resourceGroup,
    parsed.name,
  );
  const value = credentials.kubeconfigs?.[0]?.value;
  if (!value)
    throw new TopDeckError({
      code: 'KubeconfigMissing',
      transient: false,
      message: `listClusterUserCredential of cluster ${parsed.name} returned no kubeconfig`,
    });
  const kubeconfig = parseKubeconfig(value);
  const entra = Boolean(cluster.aadProfile);
  const endpoint: ClusterEndpoint = {
    clusterId,
    server: kubeconfig.server,
    ...(kubeconfig.caPem ? { caPem: kubeconfig.caPem } : {}),
  };
  if (entra) {
    const token = await credential.getToken(AKS_SERVER_SCOPE);
    if (!token?.token)
      throw new TopDeckError({
        code: 'KubernetesUnauthorized',
        transient: false,
        message: `no Entra ID token for the AKS server application (${AKS_SERVER_SCOPE}) to call cluster ${parsed.name}`,
      });
    registerSecret(token.token);
    endpoint.token = token.token;
  } else if (kubeconfig.token || kubeconfig.clientCertPem) {
    registerSecret(kubeconfig.token);
    if (kubeconfig.token) endpoint.token = kubeconfig.token;
    if (kubeconfig.clientCertPem && kubeconfig.clientKeyPem) {
      endpoint.clientCertPem = kubeconfig.clientCertPem;
      endpoint.clientKeyPem = kubeconfig.clientKeyPem;
    }
  } else {
    throw new TopDeckError({
      code: 'KubernetesUnauthorized',
      transient: false,
      message: `the kubeconfig of local-account cluster ${parsed.name} has no token or client certificate${kubeconfig.execCommand ? ` (it names the exec plugin ${kubeconfig.execCommand}, which TopDeck does not run)` : ''}`,
    });
  }
  const agic = cluster.addonProfiles?.ingressApplicationGateway?.config ?? {};
  const applicationGatewayId = agic.effectiveApplicationGatewayId ?? agic.applicationGatewayId;
  return {
    entra,
    endpoint,
    context: {
      clusterId: cluster.id ?? clusterId,
      location: (cluster.location ?? '').toLowerCase().replace(/\s+/g, ''),
      ...(cluster.nodeResourceGroup ? { nodeResourceGroup: cluster.nodeResourceGroup } : {}),
      ...(applicationGatewayId ? { applicationGatewayId } : {}),
    },
  };
}
