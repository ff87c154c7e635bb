import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Node } from 'web-tree-sitter';
import { SETTING_NAMES } from '../../src/config/settings';
import {
  type BicepFile,
  type Declaration,
  bodyObject,
  callArguments,
  calls,
  declarationString,
  declarations,
  descendants,
  find,
  isConditional,
  isExisting,
  isLoop,
  loadBicepParser,
  namedChildren,
  parameterInfo,
  parseBicep,
  properties,
  property,
  resourceType,
  stringLiteral,
  stringLiterals,
  stringPrefix,
  syntaxErrors,
} from './bicepSyntax';

/**
 * Static checks of infra/ (the Bicep CLI cannot run here): every file parses, modules are
 * wired correctly, and the deployment matches the code's contract: the settings the app
 * reads, identity-only storage, secrets only as Key Vault references, and exactly the roles
 * TopDeck needs.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const INFRA = path.join(ROOT, 'infra');

function filesUnder(dir: string, extension: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return filesUnder(full, extension);
      return entry.name.endsWith(extension) ? [full] : [];
    })
    .sort();
}

const BICEP_FILES = filesUnder(INFRA, '.bicep');
const JSON_TEMPLATES = filesUnder(path.join(INFRA, 'modules'), '.json');

const parsed = new Map<string, BicepFile>();

beforeAll(async () => {
  const parser = await loadBicepParser(ROOT);
  for (const file of BICEP_FILES) parsed.set(file, parseBicep(parser, ROOT, file));
});

function bicep(relativeToInfra: string): BicepFile {
  const file = parsed.get(path.join(INFRA, relativeToInfra));
  if (!file) throw new Error(`infra/${relativeToInfra} was not found or not parsed`);
  return file;
}

function allFiles(): BicepFile[] {
  return [...parsed.values()];
}

/** Resource declarations anywhere in a file (top level and nested). */
function resources(file: BicepFile): Declaration[] {
  return descendants(file.root)
    .filter((n) => n.type === 'resource_declaration')
    .map((node) => ({
      kind: 'resource',
      name: namedChildren(node).find((c) => c.type === 'identifier')?.text ?? '',
      node,
      decorators: [],
    }));
}

function resourcesOfType(file: BicepFile, type: string): Declaration[] {
  return resources(file).filter(
    (r) => resourceType(r).type.toLowerCase() === type.toLowerCase() && !isExisting(r),
  );
}

function onlyResourceOfType(file: BicepFile, type: string): Node {
  const found = resourcesOfType(file, type);
  expect(found, `${file.relative}: expected exactly one ${type}`).toHaveLength(1);
  const body = bodyObject((found[0] as Declaration).node);
  if (!body) throw new Error(`${file.relative}: ${type} has no body`);
  return body;
}

/** The value expression of a `var`, `param` default or `output`. */
function valueOf(decl: Declaration): Node {
  const value = namedChildren(decl.node).at(-1);
  if (!value) throw new Error(`${decl.kind} ${decl.name} has no value`);
  return value;
}

function literal(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'boolean' || node.type === 'number') return node.text;
  return stringLiteral(node);
}

function modulePathOf(file: BicepFile, moduleName: string): string | undefined {
  const decl = find(file, 'module', moduleName);
  return decl ? declarationString(decl) : undefined;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Built-in role definition GUIDs, checked against Microsoft's built-in roles reference.
const ROLE = {
  reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb',
  aksClusterUser: '4abbcc35-e782-43d8-92c5-2d3f1bd2253f',
  aksRbacReader: '7f6c6a51-bcf8-42ba-9220-52d62157d7db',
  storageQueueDataMessageSender: 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a',
} as const;

const FORBIDDEN_ROLES: Record<string, string> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168': 'Role Based Access Control Administrator',
  '17d1049b-9a84-46fb-8f53-869881c3d3ab': 'Storage Account Contributor',
};

/**
 * design.md's settings table and how each setting is provided in Azure.
 *  - app setting: must be an app setting of the Function App
 *  - identity-based: replaced by <name>__accountName / __credential=managedidentity (no key)
 *  - never in Azure: must not appear anywhere in infra/
 *  - local only: the local runtime's, not the Functions host's
 */
const DESIGN_SETTINGS: Record<
  string,
  'app setting' | 'identity-based' | 'never in Azure' | 'local only' | 'optional (default)'
> = {
  AzureWebJobsStorage: 'identity-based',
  SCAN_SCHEDULE: 'app setting',
  AZURE_SUBSCRIPTION_IDS: 'app setting',
  AZURE_RESOURCE_GROUP: 'app setting',
  TOPDECK_ARM_ENDPOINT: 'app setting',
  TOPDECK_ARM_TOKEN: 'never in Azure',
  AZURE_DEVOPS_ORG: 'app setting',
  AZURE_DEVOPS_PROJECT: 'app setting',
  AZURE_DEVOPS_PAT: 'app setting',
  AZURE_DEVOPS_BASE_URL: 'app setting',
  AZURE_DEVOPS_COMMIT_COUNT: 'optional (default)',
  AZURE_DEVOPS_CALLS_PER_MINUTE: 'optional (default)',
  REDIS_URL: 'app setting',
  APPLICATIONINSIGHTS_CONNECTION_STRING: 'app setting',
  PORT: 'local only',
  TOPDECK_WATCHDOG_MINUTES: 'app setting',
  TOPDECK_HEURISTIC_EDGES: 'app setting',
  TOPDECK_INVENTORY_SOURCE: 'optional (default)',
};

/** Settings the deployment adds for identity-based access (storage, App Insights, DefaultAzureCredential). */
const IDENTITY_SETTINGS = [
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__queueServiceUri',
  'AzureWebJobsStorage__tableServiceUri',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'AZURE_CLIENT_ID',
  // Redis signs in with the identity's Entra tokens (Azure Managed Redis has access keys off).
  'REDIS_CREDENTIAL',
];

/** App settings the Flex Consumption plan rejects (its runtime and deployment live in functionAppConfig). */
const FLEX_REJECTED_SETTINGS = [
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_NODE_DEFAULT_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTSHARE',
];

const KEY_VAULT_REFERENCE = '@Microsoft.KeyVault(SecretUri=';

/** True when every value the expression can produce is '' or a Key Vault reference. */
function onlyKeyVaultReferences(node: Node): boolean {
  if (node.type === 'parenthesized_expression') return namedChildren(node).every(onlyKeyVaultReferences);
  if (node.type === 'ternary_expression') {
    const consequence = node.childForFieldName('consequence');
    const alternative = node.childForFieldName('alternative');
    return (
      !!consequence &&
      !!alternative &&
      onlyKeyVaultReferences(consequence) &&
      onlyKeyVaultReferences(alternative)
    );
  }
  if (node.type !== 'string') return false;
  if (stringLiteral(node) === '') return true;
  return stringPrefix(node).startsWith(KEY_VAULT_REFERENCE) && node.text.endsWith(")'");
}

function appSettings(): Map<string, Node> {
  const file = bicep('modules/functionapp.bicep');
  const configs = resourcesOfType(file, 'Microsoft.Web/sites/config').filter(
    (r) => stringLiteral(property(bodyObject(r.node), 'name')) === 'appsettings',
  );
  expect(configs, 'functionapp.bicep: one Microsoft.Web/sites/config named appsettings').toHaveLength(1);
  return properties(property(bodyObject((configs[0] as Declaration).node), 'properties'));
}

describe('infra/ Bicep files', () => {
  it('has main.bicep and one module per concern', () => {
    const relative = BICEP_FILES.map((f) => path.relative(INFRA, f));
    expect(relative).toContain('main.bicep');
    for (const concern of [
      'identity',
      'storage',
      'monitoring',
      'redis',
      'keyvault',
      'functionapp',
      'roleassignments',
    ]) {
      expect(relative, `infra/modules/${concern}.bicep`).toContain(path.join('modules', `${concern}.bicep`));
    }
  });

  it.each(BICEP_FILES.map((f) => [path.relative(ROOT, f), f]))(
    '%s parses without syntax errors',
    (_name, file) => {
      const parsedFile = parsed.get(file) as BicepFile;
      const errors = syntaxErrors(parsedFile.root);
      const report = errors.map(
        (e) => `  ${parsedFile.relative}:${e.line}:${e.column} ${e.type} near ${JSON.stringify(e.text)}`,
      );
      expect(report, `syntax errors:\n${report.join('\n')}`).toEqual([]);
      expect(parsedFile.root.hasError).toBe(false);
    },
  );

  it('references only local files that exist (modules, imports, loaded JSON)', () => {
    const problems: string[] = [];
    for (const file of allFiles()) {
      const dir = path.dirname(file.file);
      const referenced: { what: string; target: string | undefined }[] = [];
      for (const decl of declarations(file).filter((d) => d.kind === 'module')) {
        referenced.push({ what: `module ${decl.name}`, target: declarationString(decl) });
      }
      for (const node of descendants(file.root).filter((n) => n.type.startsWith('import_'))) {
        const target = namedChildren(node).find((c) => c.type === 'string');
        referenced.push({ what: 'import', target: stringLiteral(target) });
      }
      for (const fn of ['loadJsonContent', 'loadTextContent', 'loadYamlContent', 'loadFileAsBase64']) {
        for (const call of calls(file.root, fn)) {
          referenced.push({ what: fn, target: stringLiteral(callArguments(call)[0]) });
        }
      }
      for (const { what, target } of referenced) {
        if (!target) problems.push(`${file.relative}: ${what} has no literal path`);
        else if (/^(br|ts)[:/]/.test(target))
          problems.push(`${file.relative}: ${what} uses registry reference ${target}; local modules only`);
        else if (!existsSync(path.resolve(dir, target)))
          problems.push(`${file.relative}: ${what} -> ${target} does not exist`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every module exactly parameters it declares, including every one without a default', () => {
    const problems: string[] = [];
    for (const file of allFiles()) {
      for (const decl of declarations(file).filter((d) => d.kind === 'module')) {
        const target = path.resolve(path.dirname(file.file), declarationString(decl) ?? '');
        const targetFile = parsed.get(target);
        if (!targetFile) {
          problems.push(`${file.relative}: module ${decl.name} -> ${target} was not parsed`);
          continue;
        }
        const declared = declarations(targetFile)
          .filter((d) => d.kind === 'parameter')
          .map(parameterInfo);
        const given = [...properties(property(bodyObject(decl.node), 'params')).keys()];
        for (const name of given) {
          if (!declared.some((p) => p.name === name)) {
            problems.push(
              `${file.relative}: module ${decl.name} passes '${name}', which ${targetFile.relative} does not declare`,
            );
          }
        }
        for (const p of declared.filter((d) => !d.hasDefault && !d.nullable)) {
          if (!given.includes(p.name)) {
            problems.push(
              `${file.relative}: module ${decl.name} does not pass required '${p.name}' of ${targetFile.relative}`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('pins an explicit, stable API version on every resource (Bicep and loaded JSON templates)', () => {
    const problems: string[] = [];
    let count = 0;
    for (const file of allFiles()) {
      for (const r of resources(file)) {
        count++;
        const { type, apiVersion } = resourceType(r);
        if (!type.includes('/') || !apiVersion || !/^\d{4}-\d{2}-\d{2}$/.test(apiVersion)) {
          problems.push(
            `${file.relative}:${r.node.startPosition.row + 1} resource ${r.name} '${type}@${apiVersion ?? ''}'`,
          );
        }
      }
    }
    for (const json of JSON_TEMPLATES) {
      const template = JSON.parse(readFileSync(json, 'utf8')) as {
        resources?: { type: string; apiVersion?: string }[];
      };
      for (const r of template.resources ?? []) {
        count++;
        if (!r.apiVersion || !/^\d{4}-\d{2}-\d{2}$/.test(r.apiVersion))
          problems.push(`${path.relative(ROOT, json)}: ${r.type}`);
      }
    }
    expect(count).toBeGreaterThan(10);
    expect(problems).toEqual([]);
  });
});

describe('main.bicep', () => {
  it('deploys at subscription scope and creates the resource group', () => {
    const main = bicep('main.bicep');
    const scope = descendants(main.root).find((n) => n.type === 'target_scope_assignment');
    expect(stringLiteral(scope ? namedChildren(scope)[0] : undefined)).toBe('subscription');
    expect(resourcesOfType(main, 'Microsoft.Resources/resourceGroups')).toHaveLength(1);
  });

  it('derives names from uniqueString(subscription().id, environmentName, location) and hard-codes no region', () => {
    const main = bicep('main.bicep');
    const seeds = calls(main.root, 'uniqueString').map((c) => callArguments(c).map((a) => a.text));
    expect(seeds).toContainEqual(['subscription().id', 'environmentName', 'location']);
    const location = find(main, 'parameter', 'location');
    expect(location?.decorators).not.toContain('allowed');
    const literalLocations = allFiles().flatMap((file) =>
      descendants(file.root)
        .filter((n) => n.type === 'object_property' && namedChildren(n)[0]?.text === 'location')
        .filter((n) => namedChildren(n)[1]?.type === 'string')
        .map((n) => `${file.relative}:${n.startPosition.row + 1} ${n.text}`),
    );
    expect(literalLocations).toEqual([]);
  });

  it('outputs what azd and docs/deploy.md refer to', () => {
    const outputs = declarations(bicep('main.bicep'))
      .filter((d) => d.kind === 'output')
      .map((d) => d.name);
    for (const name of [
      'AZURE_LOCATION',
      'AZURE_TENANT_ID',
      'AZURE_FUNCTION_APP_NAME',
      'AZURE_FUNCTION_APP_URL',
      'AZURE_STORAGE_ACCOUNT_NAME',
      'AZURE_KEY_VAULT_NAME',
      'AZURE_MANAGED_IDENTITY_CLIENT_ID',
    ]) {
      expect(outputs).toContain(name);
    }
  });

  it('passes the Azure DevOps PAT only to the Key Vault module, as a secure parameter', () => {
    const main = bicep('main.bicep');
    const pat = find(main, 'parameter', 'azureDevOpsPat');
    expect(pat?.decorators).toContain('secure');
    const keyVaultModule = find(main, 'module', 'keyVault');
    expect(keyVaultModule && declarationString(keyVaultModule)).toBe('modules/keyvault.bicep');
    const uses = descendants(main.root).filter(
      (n) =>
        n.type === 'identifier' && n.text === 'azureDevOpsPat' && n.parent?.type !== 'parameter_declaration',
    );
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) {
      const inside =
        keyVaultModule &&
        use.startIndex >= keyVaultModule.node.startIndex &&
        use.endIndex <= keyVaultModule.node.endIndex;
      expect(
        inside,
        `azureDevOpsPat used outside the keyVault module at line ${use.startPosition.row + 1}`,
      ).toBe(true);
    }
  });

  it('marks every parameter that looks like a credential @secure()', () => {
    const problems = allFiles().flatMap((file) =>
      declarations(file)
        .filter((d) => d.kind === 'parameter' && /(pat|password|secret|token|key)$/i.test(d.name))
        .filter((d) => !d.decorators.includes('secure'))
        .map((d) => `${file.relative}: param ${d.name}`),
    );
    expect(problems).toEqual([]);
  });
});

describe('the Function App (modules/functionapp.bicep)', () => {
  it('runs on Flex Consumption (FC1), Linux, Node 22, HTTPS only, as the user-assigned identity', () => {
    const file = bicep('modules/functionapp.bicep');
    const plan = onlyResourceOfType(file, 'Microsoft.Web/serverfarms');
    expect(literal(property(plan, 'sku', 'name'))).toBe('FC1');
    expect(literal(property(plan, 'sku', 'tier'))).toBe('FlexConsumption');
    expect(literal(property(plan, 'properties', 'reserved'))).toBe('true');

    const site = onlyResourceOfType(file, 'Microsoft.Web/sites');
    expect(literal(property(site, 'kind'))).toBe('functionapp,linux');
    expect(literal(property(site, 'identity', 'type'))).toBe('UserAssigned');
    expect(literal(property(site, 'properties', 'httpsOnly'))).toBe('true');
    expect(property(site, 'properties', 'keyVaultReferenceIdentity')?.text).toBe('identityId');
    const runtime = property(site, 'properties', 'functionAppConfig', 'runtime');
    expect(literal(property(runtime, 'name'))).toBe('node');
    expect(literal(property(runtime, 'version'))).toBe('22');
    const deploymentAuth = property(
      site,
      'properties',
      'functionAppConfig',
      'deployment',
      'storage',
      'authentication',
    );
    expect(literal(property(deploymentAuth, 'type'))).toBe('UserAssignedIdentity');
    // azd deploys service "api" to the resource carrying this tag.
    const serviceTag = descendants(property(site, 'tags') as Node).find(
      (n) => n.type === 'object_property' && stringLiteral(namedChildren(n)[0]) === 'azd-service-name',
    );
    expect(stringLiteral(serviceTag ? namedChildren(serviceTag)[1] : undefined)).toBe('api');
  });

  it('knows how every setting the code reads is provided in Azure', () => {
    const known = new Set([...Object.keys(DESIGN_SETTINGS), ...IDENTITY_SETTINGS]);
    expect(SETTING_NAMES.filter((name) => !known.has(name))).toEqual([]);
  });

  it('sets every setting of the design.md table that the app needs in Azure', () => {
    const settings = appSettings();
    const problems: string[] = [];
    for (const [name, how] of Object.entries(DESIGN_SETTINGS)) {
      if (how === 'app setting' && !settings.has(name)) problems.push(`${name} is not set`);
      if (how === 'identity-based') {
        if (settings.has(name))
          problems.push(`${name} is set: it would need an account key; use ${name}__* instead`);
        if (!settings.has(`${name}__accountName`)) problems.push(`${name}__accountName is not set`);
      }
      if (how === 'local only' && settings.has(name)) problems.push(`${name} is local-runtime only`);
    }
    for (const name of IDENTITY_SETTINGS) if (!settings.has(name)) problems.push(`${name} is not set`);
    for (const name of FLEX_REJECTED_SETTINGS)
      if (settings.has(name)) problems.push(`${name} is rejected by Flex Consumption`);
    expect(problems).toEqual([]);
  });

  it('connects to storage, App Insights and Azure with the identity, not keys', () => {
    const settings = appSettings();
    expect(literal(settings.get('AzureWebJobsStorage__credential'))).toBe('managedidentity');
    expect(settings.get('AzureWebJobsStorage__clientId')?.text).toBe('identityClientId');
    expect(settings.get('AZURE_CLIENT_ID')?.text).toBe('identityClientId');
    const auth = settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING') as Node;
    expect(auth.text).toBe("'ClientId=${identityClientId};Authorization=AAD'");
  });

  it('gets the Azure DevOps PAT only as a Key Vault reference, and only when a PAT was stored', () => {
    const settings = appSettings();
    const pat = settings.get('AZURE_DEVOPS_PAT') as Node;
    expect(onlyKeyVaultReferences(pat), `AZURE_DEVOPS_PAT = ${pat.text}`).toBe(true);
    expect(pat.text).toContain(KEY_VAULT_REFERENCE);
    // Empty unless both the organisation and a stored PAT exist: no reference that cannot resolve.
    const condition = pat.childForFieldName('condition')?.text ?? '';
    expect(condition).toMatch(/empty\(azureDevOpsOrg\)/);
    expect(condition).toMatch(/empty\(azureDevOpsPatSecretUri\)/);
    const kv = bicep('modules/keyvault.bicep');
    const uri = find(kv, 'output', 'azureDevOpsPatSecretUri') as Declaration;
    expect(valueOf(uri).type).toBe('ternary_expression');
    expect(valueOf(uri).childForFieldName('condition')?.text).toBe('empty(azureDevOpsPat)');
    expect(literal(valueOf(uri).childForFieldName('consequence') ?? undefined)).toBe('');
    // No other setting is a Key Vault reference or carries a secret inline.
    for (const [name, value] of settings) {
      if (name === 'AZURE_DEVOPS_PAT') continue;
      expect(value.text, name).not.toMatch(/KeyVault|listKeys|AccountKey=|azureDevOpsPat\b|:\$\{|password/i);
    }
    const secretParams = declarations(bicep('modules/functionapp.bicep'))
      .filter((d) => d.kind === 'parameter' && /pat/i.test(d.name))
      .map((d) => d.name);
    expect(secretParams).toEqual(['azureDevOpsPatSecretUri']);
  });

  it('Redis: a URL with no secret and the identity as the credential, only when Redis is deployed', () => {
    const settings = appSettings();
    expect(settings.get('REDIS_URL')?.text).toBe('redisUrl');
    const credential = settings.get('REDIS_CREDENTIAL') as Node;
    expect(credential.type).toBe('ternary_expression');
    expect(credential.childForFieldName('condition')?.text).toBe('empty(redisUrl)');
    expect(literal(credential.childForFieldName('alternative') ?? undefined)).toBe('managedidentity');
    const redisModule = find(bicep('main.bicep'), 'module', 'functionApp') as Declaration;
    expect(property(bodyObject(redisModule.node), 'params', 'redisUrl')?.text).toBe(
      "deployRedis ? redis.outputs.url : ''",
    );
  });

  it('puts App Service Authentication (Entra ID) in front of the API, on by default', () => {
    const file = bicep('modules/functionapp.bicep');
    const configs = resourcesOfType(file, 'Microsoft.Web/sites/config').filter(
      (r) => stringLiteral(property(bodyObject(r.node), 'name')) === 'authsettingsV2',
    );
    expect(configs, 'one Microsoft.Web/sites/config named authsettingsV2').toHaveLength(1);
    const auth = configs[0] as Declaration;
    expect(auth.node.text).toMatch(/if \(!empty\(apiAuthClientId\)\)/);
    const body = bodyObject(auth.node);
    expect(literal(property(body, 'properties', 'platform', 'enabled'))).toBe('true');
    expect(literal(property(body, 'properties', 'globalValidation', 'requireAuthentication'))).toBe('true');
    const aad = property(body, 'properties', 'identityProviders', 'azureActiveDirectory');
    expect(literal(property(aad, 'enabled'))).toBe('true');
    expect(property(aad, 'registration', 'clientId')?.text).toBe('apiAuthClientId');
    expect(property(aad, 'registration', 'openIdIssuer')?.text).toContain('tenant().tenantId');

    // main.bicep: on by default, the client id from a parameter, and no silent "off" without one.
    const main = bicep('main.bicep');
    const enabled = find(main, 'parameter', 'apiAuthentication') as Declaration;
    expect(literal(valueOf(enabled))).toBe('true');
    const clientId = find(main, 'variable', 'apiAuthClientId') as Declaration;
    expect(calls(valueOf(clientId), 'fail')).toHaveLength(1);
    expect(valueOf(clientId).text).toContain('apiClientId');
    const app = find(main, 'module', 'functionApp') as Declaration;
    expect(property(bodyObject(app.node), 'params', 'apiAuthClientId')?.text).toBe('apiAuthClientId');
  });

  it('caps Flex instances lower when Redis is off (each instance then holds a slice of the budget)', () => {
    const main = bicep('main.bicep');
    const cap = find(main, 'variable', 'maximumInstanceCount') as Declaration;
    expect(valueOf(cap).text.replace(/\s+/g, ' ')).toContain('(deployRedis ? 40 : 4)');
    const app = find(main, 'module', 'functionApp') as Declaration;
    expect(property(bodyObject(app.node), 'params', 'maximumInstanceCount')?.text).toBe(
      'maximumInstanceCount',
    );
  });

  it('never sets TOPDECK_ARM_TOKEN anywhere in infra/', () => {
    for (const file of allFiles()) {
      const keys = descendants(file.root)
        .filter((n) => n.type === 'object_property')
        .map((n) => namedChildren(n)[0])
        .map((k) => (k?.type === 'string' ? stringLiteral(k) : k?.text));
      expect(keys, file.relative).not.toContain('TOPDECK_ARM_TOKEN');
      expect(stringLiterals(file.root).join('\n'), file.relative).not.toContain('TOPDECK_ARM_TOKEN');
    }
    expect(readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8')).not.toContain('TOPDECK_ARM_TOKEN');
  });
});

describe('storage, monitoring, Key Vault and Redis modules', () => {
  it('storage: shared keys off, TLS 1.2, no public blobs, a deployment container', () => {
    const file = bicep('modules/storage.bicep');
    const account = onlyResourceOfType(file, 'Microsoft.Storage/storageAccounts');
    expect(literal(property(account, 'properties', 'allowSharedKeyAccess'))).toBe('false');
    expect(literal(property(account, 'properties', 'minimumTlsVersion'))).toBe('TLS1_2');
    expect(literal(property(account, 'properties', 'allowBlobPublicAccess'))).toBe('false');
    expect(literal(property(account, 'properties', 'supportsHttpsTrafficOnly'))).toBe('true');
    const container = onlyResourceOfType(file, 'Microsoft.Storage/storageAccounts/blobServices/containers');
    expect(literal(property(container, 'properties', 'publicAccess'))).toBe('None');
  });

  it('monitoring: Application Insights accepts only Entra-authenticated telemetry', () => {
    const file = bicep('modules/monitoring.bicep');
    const component = onlyResourceOfType(file, 'Microsoft.Insights/components');
    expect(literal(property(component, 'properties', 'DisableLocalAuth'))).toBe('true');
    expect(property(component, 'properties', 'WorkspaceResourceId')).toBeDefined();
  });

  it('Key Vault: RBAC authorization, PAT secret only when a PAT is given, recover mode on request', () => {
    const file = bicep('modules/keyvault.bicep');
    const vault = onlyResourceOfType(file, 'Microsoft.KeyVault/vaults');
    expect(literal(property(vault, 'properties', 'enableRbacAuthorization'))).toBe('true');
    expect(property(vault, 'properties', 'createMode')?.text).toBe("recover ? 'recover' : 'default'");
    const keyVaultModule = find(bicep('main.bicep'), 'module', 'keyVault') as Declaration;
    expect(property(bodyObject(keyVaultModule.node), 'params', 'recover')?.text).toBe('recoverKeyVault');
    const secrets = resourcesOfType(file, 'Microsoft.KeyVault/vaults/secrets');
    expect(secrets).toHaveLength(1);
    const secret = secrets[0] as Declaration;
    expect(isConditional(secret.node)).toBe(true);
    expect(secret.node.text).toMatch(/if \(!empty\(azureDevOpsPat\)\)/);
    expect(find(file, 'parameter', 'azureDevOpsPat')?.decorators).toContain('secure');
  });

  it('Redis: Azure Managed Redis, TLS only, access keys off, the app identity assigned the default access policy', () => {
    const file = bicep('modules/redis.bicep');
    const cluster = onlyResourceOfType(file, 'Microsoft.Cache/redisEnterprise');
    expect(literal(property(cluster, 'properties', 'minimumTlsVersion'))).toBe('1.2');
    const database = onlyResourceOfType(file, 'Microsoft.Cache/redisEnterprise/databases');
    expect(literal(property(database, 'properties', 'clientProtocol'))).toBe('Encrypted');
    expect(literal(property(database, 'properties', 'accessKeysAuthentication'))).toBe('Disabled');
    const assignment = onlyResourceOfType(
      file,
      'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments',
    );
    expect(literal(property(assignment, 'properties', 'accessPolicyName'))).toBe('default');
    expect(property(assignment, 'properties', 'user', 'objectId')?.text).toBe('principalId');
    const redisModule = find(bicep('main.bicep'), 'module', 'redis') as Declaration;
    expect(isConditional(redisModule.node)).toBe(true);
    expect(property(bodyObject(redisModule.node), 'params', 'principalId')?.text).toBe(
      'identity.outputs.principalId',
    );
    // The URL names the identity as the user and carries no password; no key is read anywhere.
    const url = valueOf(find(file, 'output', 'url') as Declaration);
    expect(stringPrefix(url)).toBe('rediss://');
    expect(url.text).toBe("'rediss://${principalId}@${cluster.properties.hostName}:${port}'");
    expect(resourcesOfType(file, 'Microsoft.KeyVault/vaults/secrets')).toEqual([]);
    for (const f of allFiles()) {
      const listKeys = descendants(f.root).filter(
        (n) => n.type === 'property_identifier' && /^listKeys$/i.test(n.text),
      );
      expect(listKeys.map((n) => `${f.relative}:${n.startPosition.row + 1}`)).toEqual([]);
    }
  });
});

describe('role assignments', () => {
  const LIST = 'modules/identityroles.bicep';

  function roleTable(): Map<string, string> {
    const rolesVar = find(bicep(LIST), 'variable', 'roles');
    if (!rolesVar) throw new Error(`${LIST}: var roles (name -> built-in role GUID) not found`);
    return new Map(
      [...properties(valueOf(rolesVar))].map(([name, node]) => [name, stringLiteral(node) ?? '']),
    );
  }

  interface Assignment {
    role: string;
    principal: string;
    scope: string;
  }

  /** The entries of the one list, with role names resolved to GUIDs. */
  function assignments(): Assignment[] {
    const list = bicep(LIST);
    const table = roleTable();
    return descendants(list.root)
      .filter((n) => n.type === 'object' && properties(n).has('roleDefinitionId'))
      .map((n) => {
        const p = properties(n);
        const role = p.get('roleDefinitionId') as Node;
        const key =
          role.type === 'member_expression' && role.childForFieldName('object')?.text === 'roles'
            ? (role.childForFieldName('property')?.text ?? '')
            : '';
        return {
          role: table.get(key) ?? `unresolved ${role.text}`,
          principal: p.get('principalId')?.text ?? '',
          scope: p.get('scope')?.text ?? '',
        };
      });
  }

  /** What main.bicep passes to the list module for one of its parameters. */
  function listArgument(name: string): string | undefined {
    const module = declarations(bicep('main.bicep')).find(
      (d) => d.kind === 'module' && declarationString(d) === LIST,
    );
    expect(module, `main.bicep deploys ${LIST}`).toBeDefined();
    return property(bodyObject((module as Declaration).node), 'params', name)?.text;
  }

  function moduleBehind(expression: string | undefined): string | undefined {
    const match = /^(\w+)\.outputs\.\w+$/.exec(expression ?? '');
    return match ? modulePathOf(bicep('main.bicep'), match[1] as string) : undefined;
  }

  it('uses only verified built-in role GUIDs, and no Owner or Contributor anywhere', () => {
    const allowed = new Set<string>(Object.values(ROLE));
    const texts = [
      ...allFiles().map((f) => ({
        name: f.relative,
        guids: stringLiterals(f.root).filter((s) => GUID.test(s)),
      })),
      ...[...JSON_TEMPLATES, path.join(INFRA, 'main.parameters.json')].map((f) => ({
        name: path.relative(ROOT, f),
        guids:
          readFileSync(f, 'utf8').match(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi) ??
          [],
      })),
    ];
    for (const { name, guids } of texts) {
      for (const guid of guids) {
        expect(FORBIDDEN_ROLES[guid.toLowerCase()], `${name} contains ${guid}`).toBeUndefined();
        expect(allowed.has(guid.toLowerCase()), `${name} contains unexpected GUID ${guid}`).toBe(true);
      }
    }
    // Role GUIDs live in the list module only, and Reader in the management group deployment.
    for (const { name, guids } of texts) {
      if (name === path.join('infra', 'managementgroup.bicep'))
        expect(guids, name).toEqual([ROLE.reader, ROLE.aksClusterUser, ROLE.aksRbacReader]);
      else if (name !== path.join('infra', LIST)) expect(guids, name).toEqual([]);
    }
  });

  it('grants exactly the allowed set, each on its narrowest scope: the identity, and the deployer on the vault', () => {
    const list = assignments();
    const granted = list.map((a) => a.role).sort();
    const blob = granted.includes(ROLE.storageBlobDataOwner)
      ? ROLE.storageBlobDataOwner
      : ROLE.storageBlobDataContributor;
    const discovery = 'unresolved discoveryRoleId';
    expect(granted).toEqual(
      [
        ROLE.reader,
        discovery,
        ROLE.aksClusterUser,
        ROLE.aksRbacReader,
        ROLE.storageQueueDataContributor,
        ROLE.storageTableDataContributor,
        blob,
        ROLE.keyVaultSecretsUser,
        ROLE.monitoringMetricsPublisher,
        ROLE.keyVaultSecretsOfficer,
        // the Event Grid system topics: the one queue, the one dead-letter container
        ROLE.storageQueueDataMessageSender,
        ROLE.storageBlobDataContributor,
      ].sort(),
    );

    // Three principals: the user-assigned identity, the deploying principal for the vault only,
    // and each resource-event topic for its queue and dead-letter container only.
    expect(new Set(list.map((a) => a.principal))).toEqual(
      new Set(['principalId', 'deployerPrincipalId', 'topicPrincipalId']),
    );
    expect(moduleBehind(listArgument('principalId'))).toBe('modules/identity.bicep');
    expect(listArgument('principalId')).toBe('identity.outputs.principalId');
    expect(listArgument('deployerPrincipalId')).toBe('deployer().objectId');
    const officer = list.filter((a) => a.role === ROLE.keyVaultSecretsOfficer);
    expect(officer).toEqual([
      { role: ROLE.keyVaultSecretsOfficer, principal: 'deployerPrincipalId', scope: 'keyVaultId' },
    ]);
    expect(list.filter((a) => a.principal === 'deployerPrincipalId')).toHaveLength(1);

    // Data roles on the one resource they are for; Reader and the discovery role together, only
    // on the scanned subscriptions.
    const expectedScope: Record<string, string> = {
      [ROLE.storageQueueDataContributor]: 'modules/storage.bicep',
      [ROLE.storageTableDataContributor]: 'modules/storage.bicep',
      [blob]: 'modules/storage.bicep',
      [ROLE.keyVaultSecretsUser]: 'modules/keyvault.bicep',
      [ROLE.keyVaultSecretsOfficer]: 'modules/keyvault.bicep',
      [ROLE.monitoringMetricsPublisher]: 'modules/monitoring.bicep',
      [ROLE.storageQueueDataMessageSender]: 'modules/resourceevents-queue.bicep',
      [ROLE.storageBlobDataContributor]: 'modules/resourceevents-queue.bicep',
    };
    for (const a of list) {
      if ([ROLE.reader, discovery, ROLE.aksClusterUser, ROLE.aksRbacReader].includes(a.role)) {
        expect(a.scope).toBe('readerScope');
        const mapped = calls(bicep(LIST).root, 'map').map((c) => callArguments(c)[0]?.text);
        expect(mapped.filter((m) => m === 'readerScopes')).toHaveLength(4);
        expect(listArgument('readerScopes')).toBe('readerScopes');
        const readerScopes = find(bicep('main.bicep'), 'variable', 'readerScopes');
        expect(readerScopes, 'main.bicep: var readerScopes').toBeDefined();
        expect(stringLiterals(valueOf(readerScopes as Declaration)).join(' ')).toContain('/subscriptions/');
      } else {
        expect(moduleBehind(listArgument(a.scope)), `scope of ${a.role}: ${a.scope}`).toBe(
          expectedScope[a.role],
        );
      }
    }
  });

  it('the discovery role holds only Microsoft.Web/sites/config/list/action, says why, and goes wherever Reader goes', () => {
    const types = bicep('modules/types.bicep');
    const actions = find(types, 'variable', 'discoveryRoleActions') as Declaration;
    expect(actions.decorators).toContain('export');
    expect(stringLiterals(valueOf(actions))).toEqual(['Microsoft.Web/sites/config/list/action']);
    // A comment right above it says why Reader is not enough and that values are never stored.
    const before = types.source.slice(0, actions.node.startIndex).split('\n').slice(-8).join('\n');
    expect(before).toMatch(/Reader cannot read/);
    expect(before).toMatch(/never stored/);

    for (const [file, scope] of [
      ['modules/discoveryrole.bicep', 'assignableScopes'],
      ['managementgroup.bicep', '[\n      managementGroup().id\n    ]'],
    ] as const) {
      const role = onlyResourceOfType(bicep(file), 'Microsoft.Authorization/roleDefinitions');
      expect(literal(property(role, 'properties', 'type'))).toBe('CustomRole');
      const permissions = property(role, 'properties', 'permissions') as Node;
      expect(permissions.text.replace(/\s+/g, ' ')).toBe(
        '[ { actions: discoveryRoleActions notActions: [] } ]',
      );
      expect(property(role, 'properties', 'assignableScopes')?.text, file).toBe(scope);
    }
    // Subscriptions: defined once, assignable in every scanned subscription, its GUID into the list.
    const main = bicep('main.bicep');
    const roleModule = find(main, 'module', 'discoveryRole') as Declaration;
    expect(property(bodyObject(roleModule.node), 'params', 'assignableScopes')?.text).toBe('readerScopes');
    const list = declarations(main).find((d) => d.kind === 'module' && declarationString(d) === LIST);
    expect(property(bodyObject((list as Declaration).node), 'params', 'discoveryRoleId')?.text).toContain(
      'discoveryRole.outputs.roleDefinitionGuid',
    );
    // Management group: Reader and the discovery role, both on the management group.
    const mg = bicep('managementgroup.bicep');
    const mgModule = find(mg, 'module', 'assignments') as Declaration;
    const entries = namedChildren(
      property(bodyObject(mgModule.node), 'params', 'assignments') as Node,
    ).filter((n) => n.type === 'object');
    expect(entries.map((e) => properties(e).get('roleDefinitionId')?.text).sort()).toEqual(
      ['discoveryRole.name', 'reader', 'aksClusterUser', 'aksRbacReader'].sort(),
    );
    for (const e of entries) expect(properties(e).get('scope')?.text).toBe('managementGroup().id');
  });

  it('applies the one list through one loop per scope type, and nowhere else', () => {
    const main = bicep('main.bicep');
    expect(resources(bicep(LIST)), `${LIST} only builds the list`).toEqual([]);
    const roleModules = declarations(main).filter(
      (d) => d.kind === 'module' && /roleassignments/.test(declarationString(d) ?? ''),
    );
    expect(roleModules.map((d) => declarationString(d)).sort()).toEqual([
      'modules/roleassignments-subscription.bicep',
      'modules/roleassignments.bicep',
    ]);
    const listModule = declarations(main).find((d) => d.kind === 'module' && declarationString(d) === LIST);
    for (const m of roleModules) {
      expect(property(bodyObject(m.node), 'params', 'assignments')?.text, `module ${m.name}`).toBe(
        `${listModule?.name}.outputs.assignments`,
      );
    }
    // The management group is its own deployment (az deployment mg create); nothing runs at tenant scope.
    expect(modulePathOf(bicep('managementgroup.bicep'), 'assignments')).toBe(
      'modules/roleassignments-managementgroup.bicep',
    );
    for (const file of allFiles()) {
      expect(file.source, file.relative).not.toMatch(/targetScope\s*=\s*'tenant'|scope:\s*tenant\(\)/);
    }

    for (const name of [
      'roleassignments.bicep',
      'roleassignments-subscription.bicep',
      'roleassignments-managementgroup.bicep',
    ]) {
      const file = bicep(`modules/${name}`);
      const rs = resources(file);
      expect(rs, name).toHaveLength(1);
      expect(isLoop((rs[0] as Declaration).node), `${name}: the assignment is a loop`).toBe(true);
    }

    // No other file creates role assignments.
    for (const file of allFiles()) {
      if (/roleassignments/.test(file.relative)) continue;
      expect(resourcesOfType(file, 'Microsoft.Authorization/roleAssignments'), file.relative).toEqual([]);
    }
  });

  it('keeps run-time values out of lambdas in main.bicep (module outputs inside map() are fragile)', () => {
    const main = bicep('main.bicep');
    const inLambdas = descendants(main.root)
      .filter((n) => n.type === 'lambda_expression')
      .filter((n) => /\.outputs\./.test(n.text))
      .map((n) => `line ${n.startPosition.row + 1}: ${n.text}`);
    expect(inLambdas).toEqual([]);
  });
});

describe('main.parameters.json and azure.yaml', () => {
  it('main.parameters.json maps every parameter of main.bicep to an azd environment value', () => {
    const main = bicep('main.bicep');
    const declared = declarations(main)
      .filter((d) => d.kind === 'parameter')
      .map((d) => ({ ...parameterInfo(d), secure: d.decorators.includes('secure') }));
    const file = JSON.parse(readFileSync(path.join(INFRA, 'main.parameters.json'), 'utf8')) as {
      parameters: Record<string, { value: unknown }>;
    };
    expect(Object.keys(file.parameters).sort()).toEqual(declared.map((d) => d.name).sort());
    const variables = new Map<string, string>();
    for (const p of declared) {
      const value = file.parameters[p.name]?.value;
      // `azd env set NAME value` configures it; `=default` documents the default in one place.
      const match = typeof value === 'string' ? /^\$\{([A-Z][A-Z0-9_]*)(=[^}]*)?\}$/.exec(value) : null;
      expect(match, `${p.name}: ${JSON.stringify(value)} is not \${VAR} or \${VAR=default}`).not.toBeNull();
      const [, name, fallback] = match as RegExpExecArray;
      if (p.hasDefault) expect(fallback, `${p.name} maps to \${${name}=<default>}`).toBeDefined();
      // A secure value only ever comes from the environment, never from the file.
      if (p.secure) expect(fallback, p.name).toBe('=');
      expect(variables.has(name as string), `${name} used twice`).toBe(false);
      variables.set(name as string, p.name);
    }
    expect(file.parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(file.parameters.location?.value).toBe('${AZURE_LOCATION}');
    expect(file.parameters.azureDevOpsPat?.value).toBe('${AZURE_DEVOPS_PAT=}');
    // azd's own names that mean something else here must not be reused.
    expect(variables.has('AZURE_RESOURCE_GROUP')).toBe(false);
  });

  function azureYaml(): string {
    const yamlPath = path.join(ROOT, 'azure.yaml');
    expect(existsSync(yamlPath), 'azure.yaml at the project root').toBe(true);
    return readFileSync(yamlPath, 'utf8');
  }

  it('azure.yaml deploys the project root as a TypeScript function service "api", built here', () => {
    const text = azureYaml();
    const api = /^services:\s*\n\s+api:\s*\n((?:[ \t]{4,}\S.*(?:\n|$))+)/m.exec(text)?.[1] ?? '';
    const fields = Object.fromEntries(
      api
        .split('\n')
        .map((line) => /^ {4}(\w+):\s*(\S+)/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1], m[2]]),
    );
    expect(fields).toMatchObject({
      project: '.',
      language: 'ts',
      host: 'function',
      remoteBuild: 'false',
      dist: '.package',
    });
    // The hook that stages .package runs the same script the package test runs.
    expect(api).toMatch(/prepackage:/);
    expect(api.match(/node scripts\/stagePackage\.mjs/g)).toHaveLength(2);
    expect(existsSync(path.join(ROOT, 'scripts/stagePackage.mjs'))).toBe(true);
    expect(readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).toMatch(/^\.package\/$/m);
  });

  it('azure.yaml checks the deployment rights before provisioning (the preprovision hook)', () => {
    const text = azureYaml();
    const hooks = /^hooks:\s*\n((?:[ \t]+\S.*\n)+)/m.exec(text)?.[1] ?? '';
    expect(hooks).toMatch(/^ {2}preprovision:/m);
    expect(hooks.match(/node dist\/src\/deploy\/checkDeployRights\.js/g)).toHaveLength(2);
    expect(existsSync(path.join(ROOT, 'src/deploy/checkDeployRights.ts'))).toBe(true);
  });

  it('azure.yaml requires the azd and Bicep versions the templates need (deployer(), fail())', () => {
    const text = azureYaml();
    const required = /^requiredVersions:\s*\n((?:[ \t]+\S.*\n)+)/m.exec(text)?.[1] ?? '';
    expect(required).toMatch(/^\s+azd: '>= \d+\.\d+\.\d+'$/m);
    const bicepVersion = /^\s+bicep: '>= (\d+)\.(\d+)\.\d+'$/m.exec(required);
    expect(bicepVersion).not.toBeNull();
    expect(Number(bicepVersion?.[1]) * 1000 + Number(bicepVersion?.[2])).toBeGreaterThanOrEqual(36);
    expect(calls(bicep('main.bicep').root, 'deployer')).toHaveLength(1);
  });
});

describe('host.json (written with the function code) agrees with the deployment', () => {
  // host.json belongs to the function code; these checks fail loudly until it exists.
  function hostJson(): Record<string, unknown> {
    const file = path.join(ROOT, 'host.json');
    expect(existsSync(file), 'host.json must exist at the project root (the Functions host reads it)').toBe(
      true,
    );
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  }

  it('is a v2 host.json with extension bundle 4.x or later (Flex Consumption, Node v4 model)', () => {
    const host = hostJson();
    expect(host.version).toBe('2.0');
    const bundle = host.extensionBundle as { id?: string; version?: string } | undefined;
    expect(bundle?.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
    const lowest = /^[[(]\s*(\d+)/.exec(bundle?.version ?? '')?.[1];
    expect(Number(lowest), `extensionBundle.version ${bundle?.version}`).toBeGreaterThanOrEqual(4);
  });

  it('keeps HTTP routes under /api, where the docs and the design send callers', () => {
    const host = hostJson();
    const http = (host.extensions as { http?: { routePrefix?: string } } | undefined)?.http;
    expect(http?.routePrefix ?? 'api').toBe('api');
  });

  it('holds no connection strings or keys (storage is identity-based)', () => {
    hostJson();
    expect(readFileSync(path.join(ROOT, 'host.json'), 'utf8')).not.toMatch(
      /AccountKey=|SharedAccessSignature=|InstrumentationKey=/,
    );
  });
});
