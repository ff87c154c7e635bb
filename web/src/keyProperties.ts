/**
 * The few properties that say what a resource is, per type (the names TopDeck's discoverers give
 * them); a type not listed shows the first of GENERIC it has. Values are shown as they are:
 * scalars, or lists of scalars joined.
 */
const BY_TYPE: Record<string, string[]> = {
  'microsoft.compute/virtualmachines': [
    'vmSize',
    'osType',
    'powerState',
    'imageOffer',
    'imageSku',
    'osDiskSizeGB',
  ],
  'microsoft.compute/virtualmachinescalesets': ['skuName', 'capacity', 'vmSize', 'osType'],
  'microsoft.compute/disks': ['diskSizeGB', 'skuName', 'diskState', 'managedBy'],
  'microsoft.network/virtualnetworks': ['addressPrefixes', 'dnsServers'],
  'microsoft.network/virtualnetworks/subnets': ['addressPrefix'],
  'microsoft.network/networkinterfaces': ['privateIPAddresses', 'macAddress', 'enableAcceleratedNetworking'],
  'microsoft.network/publicipaddresses': ['ipAddress', 'allocationMethod', 'skuName', 'fqdn'],
  'microsoft.network/loadbalancers': ['skuName', 'frontendIPConfigurations', 'backendAddressPools'],
  'microsoft.network/networksecuritygroups': ['securityRules'],
  'microsoft.network/applicationgateways': ['skuName', 'skuTier', 'capacity'],
  'microsoft.web/sites': ['kind', 'state', 'defaultHostName', 'hostNames', 'runtimeStack', 'httpsOnly'],
  'microsoft.web/serverfarms': ['skuName', 'skuTier', 'capacity', 'kind'],
  'microsoft.storage/storageaccounts': ['skuName', 'kind', 'accessTier', 'httpsOnly', 'minimumTlsVersion'],
  'microsoft.sql/servers': ['fullyQualifiedDomainName', 'version', 'publicNetworkAccess', 'state'],
  'microsoft.sql/servers/databases': ['skuName', 'maxSizeBytes', 'status'],
  'microsoft.keyvault/vaults': ['vaultUri', 'skuName', 'enableRbacAuthorization', 'enableSoftDelete'],
  'microsoft.containerservice/managedclusters': ['kubernetesVersion', 'fqdn', 'nodeCount', 'networkPlugin'],
  'microsoft.cache/redis': ['hostName', 'skuName', 'port', 'sslPort'],
  'microsoft.documentdb/databaseaccounts': ['documentEndpoint', 'kind', 'consistencyLevel'],
  'microsoft.servicebus/namespaces': ['serviceBusEndpoint', 'skuName'],
  'microsoft.appconfiguration/configurationstores': ['endpoint', 'skuName'],
};

const GENERIC = [
  'skuName',
  'sku',
  'kind',
  'vmSize',
  'size',
  'hostName',
  'fqdn',
  'endpoint',
  'state',
  'version',
];

/** A value as one line, or undefined when it is not worth a line (an object, an empty list). */
function asText(v: unknown): string | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (!v.length) return undefined;
    if (v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(', ');
    return `${v.length} item${v.length === 1 ? '' : 's'}`;
  }
  return undefined;
}

export function keyProperties(type: string, properties: Record<string, unknown>): Array<[string, string]> {
  const names = BY_TYPE[type.toLowerCase()] ?? GENERIC;
  const out: Array<[string, string]> = [];
  for (const name of names) {
    const text = asText(properties[name]);
    if (text !== undefined) out.push([name, text]);
  }
  return out;
}
