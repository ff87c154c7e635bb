import { AGIC_INGRESS_CLASS } from '../kubernetes/mapKubernetesObject';
import {
  clusterIdOf,
  kubernetesId,
  kubernetesType,
  type KubernetesKind,
} from '../kubernetes/kubernetesKinds';
import type { Edge, EdgeCategory } from './Edge';
import { referenceEdges, type EdgeRule } from './EdgeRule';
import { namespaceOf } from './KubernetesLabels';
import { str, strings, type IndexedResource } from './readProperties';

const WORKLOADS: KubernetesKind[] = ['deployments', 'statefulsets', 'daemonsets'];

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

/**
 * What runs inside AKS, joined to itself and to the Azure resources under it: workloads to their
 * cluster, service accounts, claims, SecretProviderClasses and ConfigMaps; Services to the
 * workloads their selector matches, to their public IP and the cluster's load balancer; ingresses
 * to their backend Services and application gateway; claims to volumes, volumes to disks and
 * storage accounts; service accounts to the user-assigned identity of their workload identity;
 * SecretProviderClasses to their Key Vault; nodes to their scale set. A reference to an object
 * that was not listed gives no edge (Kubernetes accepts dangling names).
 */
export const kubernetesRules: EdgeRule = (view, emit) => {
  const ref = referenceEdges(view, emit);
  const { nodes } = view;
  // an edge to another Kubernetes object only when it exists
  const toObject = (
    r: IndexedResource,
    targetId: string,
    evidence: string,
    category: EdgeCategory,
    method: Edge['method'] = 'kubernetes-reference',
  ) => {
    if (nodes.has(targetId))
      emit({
        sourceId: r.id,
        targetId: nodes.resolve(targetId) as string,
        category,
        strength: 1,
        method,
        evidence,
      });
  };
  const namespaceName = (r: IndexedResource) => str(r.properties.namespace) ?? '';

  for (const kind of WORKLOADS)
    for (const w of view.ofType(kubernetesType(kind))) {
      const cluster = clusterIdOf(w.id);
      const ns = namespaceName(w);
      ref(w.id, cluster, 'id (runs in the cluster)', 'compute');
      const sa = str(w.properties.serviceAccountName);
      if (sa)
        toObject(
          w,
          kubernetesId(cluster, 'serviceaccounts', sa, ns),
          'properties.serviceAccountName',
          'configuration',
        );
      for (const c of strings(w.properties.persistentVolumeClaims))
        toObject(
          w,
          kubernetesId(cluster, 'persistentvolumeclaims', c, ns),
          'properties.persistentVolumeClaims',
          'data',
        );
      for (const c of strings(w.properties.secretProviderClasses))
        toObject(
          w,
          kubernetesId(cluster, 'secretproviderclasses', c, ns),
          'properties.secretProviderClasses (secrets-store.csi.k8s.io volume)',
          'configuration',
        );
      for (const c of strings(w.properties.configMaps))
        toObject(
          w,
          kubernetesId(cluster, 'configmaps', c, ns),
          'properties.configMaps',
          'configuration',
          'kubernetes-reference',
        );
    }

  for (const s of view.ofType(kubernetesType('services'))) {
    const nsId = namespaceOf(s.id);
    if (nsId)
      for (const target of nodes.kubernetesLabels.selectedBy(nsId, stringMap(s.properties.selector)))
        emit({
          sourceId: s.id,
          targetId: target,
          category: 'network',
          strength: 1,
          method: 'kubernetes-selector',
          evidence: 'properties.selector',
        });
    if (str(s.properties.serviceType) !== 'LoadBalancer') continue;
    let pip: string | undefined;
    for (const ip of strings(s.properties.loadBalancerIPs)) {
      const owner = nodes.byHost(ip);
      if (owner && nodes.typeOf(owner)?.toLowerCase() === 'microsoft.network/publicipaddresses') {
        pip = owner;
        emit({
          sourceId: s.id,
          targetId: owner,
          category: 'network',
          strength: 1,
          method: 'arm-reference',
          evidence: 'status.loadBalancer.ingress[].ip (properties.loadBalancerIPs)',
        });
      }
    }
    const pipName = str(s.properties.publicIPName);
    const pipGroup = str(s.properties.publicIPResourceGroup);
    if (!pip && pipName && pipGroup) {
      const sub = /^\/subscriptions\/[^/]+/i.exec(s.id)?.[0] ?? '';
      ref(
        s.id,
        `${sub}/resourceGroups/${pipGroup}/providers/Microsoft.Network/publicIPAddresses/${pipName}`,
        'annotation service.beta.kubernetes.io/azure-pip-name',
        'network',
      );
    }
    // The node resource group's resources (AKS manages them): linked when that group was scanned.
    const lb = str(s.properties.azureLoadBalancerId);
    if (lb && nodes.has(lb))
      ref(
        s.id,
        lb,
        "properties.azureLoadBalancerId (the cluster's load balancer in its node resource group)",
        'network',
      );
  }

  for (const i of view.ofType(kubernetesType('ingresses'))) {
    const cluster = clusterIdOf(i.id);
    for (const b of strings(i.properties.backendServices))
      toObject(
        i,
        kubernetesId(cluster, 'services', b, namespaceName(i)),
        'spec.rules[].http.paths[].backend.service.name',
        'network',
      );
    if (str(i.properties.ingressClassName) === AGIC_INGRESS_CLASS)
      ref(
        i.id,
        str(i.properties.applicationGatewayId),
        `ingressClassName ${AGIC_INGRESS_CLASS} (the cluster's ingressApplicationGateway add-on)`,
        'network',
      );
  }

  for (const c of view.ofType(kubernetesType('persistentvolumeclaims'))) {
    const pv = str(c.properties.volumeName);
    if (pv) toObject(c, kubernetesId(clusterIdOf(c.id), 'persistentvolumes', pv), 'spec.volumeName', 'data');
  }

  for (const v of view.ofType(kubernetesType('persistentvolumes'))) {
    const driver = str(v.properties.csiDriver);
    if (driver === 'disk.csi.azure.com')
      ref(v.id, str(v.properties.volumeHandle), 'spec.csi.volumeHandle (disk.csi.azure.com)', 'data');
    if (driver === 'file.csi.azure.com') {
      const account = str(v.properties.storageAccount);
      if (!account) continue;
      const byHost = nodes.byHost(`${account}.file.core.windows.net`);
      const sub = /^\/subscriptions\/[^/]+/i.exec(v.id)?.[0] ?? '';
      const group = str(v.properties.storageResourceGroup);
      const target =
        byHost ??
        (group
          ? `${sub}/resourceGroups/${group}/providers/Microsoft.Storage/storageAccounts/${account}`
          : undefined);
      ref(v.id, target, 'spec.csi storage account (file.csi.azure.com)', 'data');
    }
  }

  for (const sa of view.ofType(kubernetesType('serviceaccounts')))
    ref(
      sa.id,
      str(sa.properties.userAssignedIdentityId),
      'annotation azure.workload.identity/client-id',
      'configuration',
    );

  for (const spc of view.ofType(kubernetesType('secretproviderclasses'))) {
    const vault = str(spc.properties.keyvaultName);
    const target = vault ? nodes.byHost(`${vault.toLowerCase()}.vault.azure.net`) : undefined;
    if (target)
      emit({
        sourceId: spc.id,
        targetId: target,
        category: 'configuration',
        strength: 1,
        method: 'arm-reference',
        evidence: 'spec.parameters.keyvaultName',
      });
  }

  for (const n of view.ofType(kubernetesType('nodes'))) {
    const provider = str(n.properties.providerID);
    const scaleSet = provider?.startsWith('azure://')
      ? nodes.resolve(provider.slice('azure://'.length))
      : undefined;
    if (scaleSet && nodes.has(scaleSet)) ref(n.id, scaleSet, 'spec.providerID', 'compute');
  }
};
