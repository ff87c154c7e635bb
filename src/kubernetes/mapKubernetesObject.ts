import type { DiscoveredItem, ResourceStatus } from '../discovery/Resource';
import type { ClusterContext } from './ClusterContext';
import { kubernetesId, kubernetesType, type KubernetesKind } from './kubernetesKinds';
import { list, metadataOf, num, rec, stringMap, text, type KubernetesObject } from './kubernetesObject';

/** A mapped object: what is hashed and kept, and the counts that move all the time (kept apart). */
export interface MappedObject {
  item: DiscoveredItem;
  /** Ready counts from the workload's status: shown, never part of the content hash. */
  live?: Record<string, number>;
}

const SECRETS_STORE_DRIVER = 'secrets-store.csi.k8s.io';
export const AGIC_INGRESS_CLASS = 'azure-application-gateway';
const ANNOTATION = {
  pipName: 'service.beta.kubernetes.io/azure-pip-name',
  lbResourceGroup: 'service.beta.kubernetes.io/azure-load-balancer-resource-group',
  internal: 'service.beta.kubernetes.io/azure-load-balancer-internal',
  ingressClass: 'kubernetes.io/ingress.class',
  clientId: 'azure.workload.identity/client-id',
  tenantId: 'azure.workload.identity/tenant-id',
};

function uniq(values: Array<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))].sort();
}

/** Images of a pod spec (init containers included), the names it mounts: never env values. */
export function podSpecFacts(spec: Record<string, unknown>) {
  const containers = [...list(spec.initContainers), ...list(spec.containers)];
  const volumes = list(spec.volumes);
  return {
    images: uniq(containers.map((c) => text(c.image))),
    serviceAccountName: text(spec.serviceAccountName) ?? 'default',
    persistentVolumeClaims: uniq(volumes.map((v) => text(rec(v.persistentVolumeClaim).claimName))),
    configMaps: uniq([
      ...volumes.map((v) => text(rec(v.configMap).name)),
      ...containers.flatMap((c) => list(c.envFrom).map((e) => text(rec(e.configMapRef).name))),
    ]),
    secretProviderClasses: uniq(
      volumes
        .filter((v) => text(rec(v.csi).driver) === SECRETS_STORE_DRIVER)
        .map((v) => text(stringMap(rec(v.csi).volumeAttributes).secretProviderClass)),
    ),
  };
}

function workloadStatus(desired: number | undefined, ready: number | undefined): ResourceStatus {
  if (desired === undefined) return 'unknown';
  if (desired === 0) return 'stopped';
  return (ready ?? 0) >= desired ? 'running' : 'degraded';
}

function quantity(v: unknown): string | undefined {
  return text(rec(v).storage);
}

/**
 * Maps one listed object to a resource. Reads names, references, images and counts only: env
 * values, ConfigMap data and Secret objects are never read (and Secrets are never listed).
 */
export function mapKubernetesObject(
  kind: KubernetesKind,
  o: KubernetesObject,
  cluster: ClusterContext,
): MappedObject {
  const meta = metadataOf(o);
  if (!meta.name) throw new Error(`a ${kind} object without metadata.name`);
  const spec = rec(o.spec);
  const status = rec(o.status);
  const item = (properties: Record<string, unknown>, state?: ResourceStatus): DiscoveredItem => ({
    id: kubernetesId(cluster.clusterId, kind, meta.name, meta.namespace),
    name: meta.name,
    type: kubernetesType(kind),
    location: cluster.location,
    tags: meta.labels,
    properties: Object.fromEntries(
      Object.entries({ ...(meta.namespace ? { namespace: meta.namespace } : {}), ...properties }).filter(
        ([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0),
      ),
    ),
    ...(state ? { status: state } : {}),
  });
  switch (kind) {
    case 'namespaces':
      return {
        item: item({ phase: text(status.phase) }, text(status.phase) === 'Active' ? 'running' : 'degraded'),
      };
    case 'nodes': {
      const info = rec(status.nodeInfo);
      const ready = list(status.conditions).find((c) => c.type === 'Ready');
      return {
        item: item(
          {
            providerID: text(spec.providerID),
            nodePool: meta.labels['kubernetes.azure.com/agentpool'] ?? meta.labels.agentpool,
            kubeletVersion: text(info.kubeletVersion),
            vmSize: meta.labels['node.kubernetes.io/instance-type'],
            osImage: text(info.osImage),
          },
          ready ? (ready.status === 'True' ? 'running' : 'degraded') : 'unknown',
        ),
      };
    }
    case 'deployments':
    case 'statefulsets':
    case 'daemonsets': {
      const template = rec(spec.template);
      const facts = podSpecFacts(rec(template.spec));
      // A DaemonSet's desired count follows the node count (it moves with autoscaling): kept live.
      const desired = kind === 'daemonsets' ? num(status.desiredNumberScheduled) : (num(spec.replicas) ?? 1);
      const ready = kind === 'daemonsets' ? num(status.numberReady) : num(status.readyReplicas);
      return {
        item: item(
          {
            ...(kind === 'daemonsets' ? {} : { replicas: desired }),
            ...facts,
            labels: stringMap(rec(template.metadata).labels),
          },
          workloadStatus(desired, ready),
        ),
        live: { readyReplicas: ready ?? 0, ...(kind === 'daemonsets' ? { replicas: desired ?? 0 } : {}) },
      };
    }
    case 'services': {
      const internal = meta.annotations[ANNOTATION.internal] === 'true';
      const isLb = text(spec.type) === 'LoadBalancer';
      return {
        item: item({
          serviceType: text(spec.type) ?? 'ClusterIP',
          clusterIP: text(spec.clusterIP),
          loadBalancerIPs: uniq(list(rec(status.loadBalancer).ingress).map((i) => text(i.ip))),
          ports: list(spec.ports).map((p) =>
            Object.fromEntries(
              Object.entries({
                name: text(p.name),
                port: num(p.port),
                targetPort: text(p.targetPort) ?? num(p.targetPort),
                protocol: text(p.protocol),
                nodePort: num(p.nodePort),
              }).filter(([, v]) => v !== undefined),
            ),
          ),
          selector: stringMap(spec.selector),
          ...(isLb
            ? {
                internalLoadBalancer: internal,
                publicIPName: meta.annotations[ANNOTATION.pipName],
                publicIPResourceGroup:
                  meta.annotations[ANNOTATION.lbResourceGroup] ?? cluster.nodeResourceGroup,
                azureLoadBalancerId: cluster.nodeResourceGroup
                  ? `${subscriptionPrefix(cluster.clusterId)}/resourceGroups/${cluster.nodeResourceGroup}/providers/Microsoft.Network/loadBalancers/${internal ? 'kubernetes-internal' : 'kubernetes'}`
                  : undefined,
              }
            : {}),
        }),
      };
    }
    case 'ingresses': {
      const className = text(spec.ingressClassName) ?? meta.annotations[ANNOTATION.ingressClass];
      const rules = list(spec.rules);
      const backend = (b: Record<string, unknown>) => text(rec(b.service).name);
      return {
        item: item({
          ingressClassName: className,
          hosts: uniq(rules.map((r) => text(r.host))),
          backendServices: uniq([
            backend(rec(spec.defaultBackend)),
            ...rules.flatMap((r) => list(rec(r.http).paths).map((p) => backend(rec(p.backend)))),
          ]),
          loadBalancerIPs: uniq(list(rec(status.loadBalancer).ingress).map((i) => text(i.ip))),
          applicationGatewayId: className === AGIC_INGRESS_CLASS ? cluster.applicationGatewayId : undefined,
        }),
      };
    }
    case 'persistentvolumeclaims':
      return {
        item: item(
          {
            storageClass: text(spec.storageClassName),
            capacity: quantity(status.capacity) ?? quantity(rec(spec.resources).requests),
            volumeName: text(spec.volumeName),
            accessModes: uniq(Array.isArray(spec.accessModes) ? spec.accessModes.map(text) : []),
          },
          text(status.phase) === 'Bound' ? 'running' : 'degraded',
        ),
      };
    case 'persistentvolumes': {
      const csi = rec(spec.csi);
      const attributes = stringMap(csi.volumeAttributes);
      const driver = text(csi.driver);
      const handle = text(csi.volumeHandle);
      // file.csi.azure.com handles read `<resource group>#<account>#<share>#…`
      const fileParts = driver === 'file.csi.azure.com' && handle ? handle.split('#') : [];
      const claim = rec(spec.claimRef);
      return {
        item: item(
          {
            storageClass: text(spec.storageClassName),
            capacity: quantity(spec.capacity),
            csiDriver: driver,
            volumeHandle: handle,
            claim: text(claim.name) ? `${text(claim.namespace) ?? ''}/${text(claim.name)}` : undefined,
            storageAccount:
              attributes.storageAccount ?? attributes.storageaccount ?? (fileParts[1] || undefined),
            storageResourceGroup:
              driver === 'file.csi.azure.com'
                ? (attributes.resourceGroup ??
                  attributes.resourcegroup ??
                  (fileParts[0] || cluster.nodeResourceGroup))
                : undefined,
            shareName: attributes.shareName ?? attributes.sharename ?? (fileParts[2] || undefined),
          },
          text(status.phase) === 'Bound' ? 'running' : text(status.phase) === 'Failed' ? 'error' : 'unknown',
        ),
      };
    }
    case 'serviceaccounts':
      return {
        item: item({
          workloadIdentityClientId: meta.annotations[ANNOTATION.clientId],
          workloadIdentityTenantId: meta.annotations[ANNOTATION.tenantId],
        }),
      };
    case 'configmaps':
      // names only: the data is never read into TopDeck
      return { item: item({}) };
    case 'secretproviderclasses': {
      const parameters = stringMap(spec.parameters);
      return {
        item: item({
          provider: text(spec.provider),
          keyvaultName: parameters.keyvaultName,
          tenantId: parameters.tenantId,
          userAssignedIdentityID: parameters.userAssignedIdentityID,
        }),
      };
    }
    case 'pods':
    case 'replicasets':
      throw new Error(`${kind} are read for their workloads, not mapped`);
  }
}

function subscriptionPrefix(clusterId: string): string {
  return /^\/subscriptions\/[^/]+/i.exec(clusterId)?.[0] ?? '';
}
