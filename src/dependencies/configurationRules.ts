import { externalNodeId, type EdgeCategory, type EdgeMethod } from './Edge';
import type { EdgeRule } from './EdgeRule';
import { hostOf, records, str, type IndexedResource } from './readProperties';

const METHODS: readonly EdgeMethod[] = ['connection-string', 'app-setting', 'keyvault-reference'];

/** Key Vault and App Configuration hold configuration; everything else a setting names holds data. */
function categoryOf(targetType: string | undefined, kind: string): EdgeCategory {
  const t = `${targetType ?? ''} ${kind}`.toLowerCase();
  return /keyvault|appconfiguration|vault|appconfig/.test(t) ? 'configuration' : 'data';
}

function methodOf(site: IndexedResource, ref: Record<string, unknown>): EdgeMethod {
  if (ref.keyVaultReference === true || /keyvault-?reference/i.test(str(ref.kind) ?? ''))
    return 'keyvault-reference';
  // discovery says where the value was; older rows may not, so fall back on the site's names
  if (ref.source === 'connectionString') return 'connection-string';
  if (ref.source === 'appSetting') return 'app-setting';
  const given = str(ref.method);
  if (given && (METHODS as readonly string[]).includes(given)) return given as EdgeMethod;
  const name = (str(ref.settingName) ?? '').toLowerCase();
  const isConnectionString = records(site.properties.connectionStrings).some(
    (c) => (str(c.name) ?? '').toLowerCase() === name,
  );
  return isConnectionString ? 'connection-string' : 'app-setting';
}

/**
 * A web app's settings and connection strings, as discovery kept them (`referencedEndpoints`:
 * setting name, host and kind — never the value), matched to discovered resources by host name;
 * a host nobody owns becomes an external endpoint node rather than a dropped fact.
 */
export const configurationRules: EdgeRule = (view, emit) => {
  const { nodes } = view;
  for (const site of view.ofType('Microsoft.Web/sites')) {
    for (const ref of records(site.properties.referencedEndpoints)) {
      const host = hostOf(str(ref.host));
      if (!host) continue;
      const owner = nodes.byHost(host);
      if (owner && owner.toLowerCase() === site.id.toLowerCase()) continue;
      const kind = str(ref.kind) ?? '';
      emit({
        sourceId: site.id,
        targetId: owner ?? externalNodeId(host),
        category: categoryOf(owner ? nodes.typeOf(owner) : undefined, kind),
        strength: 0.9,
        method: methodOf(site, ref),
        evidence: `setting ${str(ref.settingName) ?? '(unnamed)'}`,
      });
    }
  }
};
