/** What mapping a cluster's objects needs to know of the AKS cluster itself (from Resource Manager). */
export interface ClusterContext {
  /** The cluster's ARM id, as Resource Manager spells it. */
  clusterId: string;
  location: string;
  /** `MC_…`: where AKS puts the cluster's load balancer, public IPs and disks by default. */
  nodeResourceGroup?: string;
  /** The application gateway of the cluster's ingress controller add-on (AGIC), when enabled. */
  applicationGatewayId?: string;
}
