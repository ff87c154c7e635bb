/**
 * What an App Service setting or connection string points at. The value is parsed in memory
 * and dropped: only the setting's name, the target host and its kind are kept (design.md:
 * secrets are never stored or logged).
 */
export type EndpointKind =
  | 'sql'
  | 'postgresql'
  | 'mysql'
  | 'redis'
  | 'storage'
  | 'serviceBus'
  | 'cosmosDb'
  | 'keyVault'
  | 'appConfiguration'
  | 'applicationInsights'
  | 'endpoint';

export interface ReferencedEndpoint {
  settingName: string;
  host: string;
  kind: EndpointKind;
  /** where the value was: an app setting or a connection string */
  source: 'appSetting' | 'connectionString';
  /** the value was a Key Vault reference (`@Microsoft.KeyVault(...)`): the vault holds the real value */
  keyVaultReference?: true;
}

const HOST_KINDS: ReadonlyArray<[RegExp, EndpointKind]> = [
  [/\.database\.windows\.net$/, 'sql'],
  [/\.postgres\.database\.azure\.com$/, 'postgresql'],
  [/\.mysql\.database\.azure\.com$/, 'mysql'],
  [/\.redis\.cache\.windows\.net$/, 'redis'],
  [/\.(blob|queue|table|file|dfs)\.core\.windows\.net$/, 'storage'],
  [/\.servicebus\.windows\.net$/, 'serviceBus'],
  [/\.documents\.azure\.com$/, 'cosmosDb'],
  [/\.vault\.azure\.net$/, 'keyVault'],
  [/\.azconfig\.io$/, 'appConfiguration'],
  [/\.applicationinsights\.azure\.com$/, 'applicationInsights'],
];

function kindOfHost(host: string): EndpointKind {
  return HOST_KINDS.find(([re]) => re.test(host))?.[1] ?? 'endpoint';
}

function hostOfUrl(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** `Key=Value;Key=Value` pairs, keys lower-cased without spaces. */
function pairs(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0)
      out.set(part.slice(0, eq).trim().toLowerCase().replace(/\s+/g, ''), part.slice(eq + 1).trim());
  }
  return out;
}

/** The host a value points at, or undefined when it names none (a flag, a number, a secret alone). */
export function endpointOf(
  value: string,
): { host: string; kind: EndpointKind; keyVaultReference?: true } | undefined {
  const v = value.trim();
  if (!v) return undefined;
  const kv = /^@Microsoft\.KeyVault\((.*)\)$/i.exec(v);
  if (kv) {
    const ref = pairs(kv[1] ?? '');
    const uri = ref.get('secreturi');
    const host = uri
      ? hostOfUrl(uri)
      : ref.get('vaultname')
        ? `${ref.get('vaultname')?.toLowerCase()}.vault.azure.net`
        : undefined;
    return host ? { host, kind: 'keyVault', keyVaultReference: true } : undefined;
  }
  if (/^(rediss?|postgres(ql)?|mysql|sb|amqps?|https?):\/\//i.test(v)) {
    const host = hostOfUrl(v.replace(/^sb:/i, 'https:').replace(/^amqps?:/i, 'https:'));
    if (!host) return undefined;
    const scheme = v.slice(0, v.indexOf(':')).toLowerCase();
    const kind: EndpointKind = scheme.startsWith('redis')
      ? 'redis'
      : scheme.startsWith('postgres')
        ? 'postgresql'
        : scheme === 'mysql'
          ? 'mysql'
          : kindOfHost(host);
    return { host, kind };
  }
  const p = pairs(v);
  const server = p.get('server') ?? p.get('datasource') ?? p.get('addr') ?? p.get('address');
  if (server) {
    const host = server.replace(/^tcp:/i, '').split(/[,:]/)[0]?.toLowerCase();
    if (host)
      return {
        host,
        kind:
          p.has('port') && p.get('port') === '5432'
            ? 'postgresql'
            : kindOfHost(host) === 'endpoint'
              ? 'sql'
              : kindOfHost(host),
      };
  }
  if (p.get('host') && p.has('database')) {
    const host = (p.get('host') as string).toLowerCase();
    return { host, kind: kindOfHost(host) === 'endpoint' ? 'postgresql' : kindOfHost(host) };
  }
  const endpoint =
    p.get('endpoint') ?? p.get('accountendpoint') ?? p.get('blobendpoint') ?? p.get('ingestionendpoint');
  if (endpoint) {
    const host = hostOfUrl(endpoint.replace(/^sb:/i, 'https:'));
    if (host)
      return {
        host,
        kind: p.has('accountendpoint')
          ? 'cosmosDb'
          : p.has('ingestionendpoint')
            ? 'applicationInsights'
            : kindOfHost(host),
      };
  }
  const account = p.get('accountname');
  if (account) {
    return {
      host: `${account.toLowerCase()}.blob.${(p.get('endpointsuffix') ?? 'core.windows.net').toLowerCase()}`,
      kind: 'storage',
    };
  }
  // StackExchange.Redis: `host:6380,password=...,ssl=True`
  const redis = /^([a-z0-9.-]+\.[a-z]{2,}):\d+,/i.exec(v);
  if (redis?.[1]) return { host: redis[1].toLowerCase(), kind: 'redis' };
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v) && /[a-z]/i.test(v.split('.').pop() ?? '')) {
    const host = v.toLowerCase();
    return { host, kind: kindOfHost(host) };
  }
  return undefined;
}

/** Every endpoint a site's settings and connection strings point at; values are not kept. */
export function referencedEndpoints(
  appSettings: Record<string, string> | undefined,
  connectionStrings: Record<string, { value?: string } | undefined> | undefined,
): ReferencedEndpoint[] {
  const out: ReferencedEndpoint[] = [];
  for (const [settingName, value] of Object.entries(appSettings ?? {})) {
    const e = typeof value === 'string' ? endpointOf(value) : undefined;
    if (e) out.push({ settingName, ...e, source: 'appSetting' });
  }
  for (const [settingName, cs] of Object.entries(connectionStrings ?? {})) {
    const e = typeof cs?.value === 'string' ? endpointOf(cs.value) : undefined;
    if (e) out.push({ settingName, ...e, source: 'connectionString' });
  }
  return out;
}
