/**
 * The Table Storage key scheme, documented once (docs/data-model.md repeats it):
 *
 * resources   PartitionKey `<subscriptionId>|<arm type>~<resource group>`, lower-case and escaped
 *             as below, e.g. `0b1f...|microsoft.compute|virtualmachines~rg-prod`: one partition
 *             per (subscription, type, resource group), so a (subscription, type) listing is one
 *             contiguous PartitionKey range (prefix `<subscriptionId>|<type>~`) and a resource
 *             group filter is one partition; partitions stay small enough for cheap writes.
 *             RowKey       the lower-cased ARM id, escaped: `%`→`%25`, `|`→`%7C`, `~`→`%7E`,
 *             `\`→`%5C`, `#`→`%23`, `?`→`%3F`, then `/`→`|` (Table keys may not contain `/ \ # ?`).
 * scans       PartitionKey `scan`; RowKey the scan id. PartitionKey `coverage`: per listed scope
 *             (`<subscriptionId>|<type>~` or a full resources PartitionKey) the last scan that listed
 *             it cleanly, from which a row's lastSeenAt is derived (unchanged rows are not rewritten).
 * scantasks   PartitionKey the scan id; RowKeys `task|<taskId>`, `page|<taskId>|<page, 6 digits>`
 *             (conditional-insert page markers) and `finalize` (the finalize marker).
 * changes     by scan and by resource; the scheme is in src/changes/ChangeLog.ts.
 * dependencies `out|<scope of the source>` and `in|<scope of the target>` partitions (a scope:
 *             `idScope` below, subscription, resource group and type); see
 *             src/dependencies/DependencyStore.ts.
 *
 * repositories PartitionKey `<organization>|<project>` (escaped as above); RowKey the repository id.
 * pipelines    PartitionKey `<organization>|<project>`; RowKey the pipeline (definition) id.
 * commits      PartitionKey `<organization>|<project>|<repository id>`; RowKey the commit sha.
 * deployments  PartitionKey `<organization>|<project>`; RowKey the build id, 10 digits zero-padded
 *              (a project's deployments in build order). Environment deployment records merge
 *              `env_<hex of the environment name>` columns (the time it reached it) into the row.
 * applications PartitionKey the canonical environment (production / staging / development / test /
 *              unknown); RowKey the application name, escaped.
 * devopswatermarks PartitionKey `<organization>`; RowKey `<project>`: the builds watermark.
 * tombstones   PartitionKey and RowKey those of the `resources` row an event deleted; `deletedAt`
 *              (src/storage/tombstones.ts).
 *
 * A resource's API `key` is the base64url of its lower-cased ARM id: URL-safe, reversible,
 * and it leads straight to the PartitionKey and RowKey.
 */
import { parseResourceId } from '../discovery/Resource';

/** The characters `escapeKeyPart` encodes: an ARM id seldom has any, and then skips those passes. */
const NEEDS_ENCODING = /[%|~\\#?\u0000-\u001f\u007f-\u009f]/;

export function escapeKeyPart(value: string): string {
  const lower = value.toLowerCase();
  if (!NEEDS_ENCODING.test(lower)) return lower.replace(/\//g, '|');
  return lower
    .replace(/%/g, '%25')
    .replace(/\|/g, '%7C')
    .replace(/~/g, '%7E')
    .replace(/\\/g, '%5C')
    .replace(/#/g, '%23')
    .replace(/\?/g, '%3F')
    .replace(/\//g, '|')
    .replace(
      /[\u0000-\u001f\u007f-\u009f]/g,
      (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0').toUpperCase()}`,
    );
}

export function unescapeKeyPart(value: string): string {
  return value
    .replace(/\|/g, '/')
    .replace(/%([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export function resourcePartitionKey(subscriptionId: string, type: string, resourceGroup: string): string {
  return `${resourceTypePartitionPrefix(subscriptionId, type)}${escapeKeyPart(resourceGroup)}`;
}

/** Every partition of one (subscription, type) starts with this. */
export function resourceTypePartitionPrefix(subscriptionId: string, type: string): string {
  return `${subscriptionId.toLowerCase()}|${escapeKeyPart(type)}~`;
}

/** OData filter for every key starting with prefix (a contiguous range). */
export function prefixFilter(column: 'PartitionKey' | 'RowKey', prefix: string): string {
  return `${column} ge ${odataString(prefix)} and ${column} lt ${odataString(prefixEnd(prefix))}`;
}

/**
 * The scope partition of an id, for rows kept per id (edges, change history): `<subscriptionId>|
 * <resource group>|<type>` for an ARM id (lower-case, escaped; a sub-resource's type is its full
 * type, `.../virtualnetworks|subnets`), or `~<id>` for anything else (an application, an external
 * host). Scopes hold tens to hundreds of rows: written in 100-row batches, not one transaction
 * per id, spread over many partitions; one id's rows are one RowKey range (`idRowPrefix`) in its
 * scope, and a subscription's or a resource group's scopes are one PartitionKey range.
 */
export function idScope(id: string): string {
  const p = parseResourceId(id);
  return p
    ? `${escapeKeyPart(p.subscriptionId)}|${escapeKeyPart(p.resourceGroup)}|${escapeKeyPart(p.type)}`
    : `~${escapeKeyPart(id)}`;
}

/** The start of every RowKey of an id in its scope: `~` never occurs in an escaped part. */
export function idRowPrefix(id: string): string {
  return `${escapeKeyPart(id)}~`;
}

export function resourceRowKey(id: string): string {
  return escapeKeyPart(id);
}

export function resourceKeyFromId(id: string): string {
  return Buffer.from(id.toLowerCase(), 'utf8').toString('base64url');
}

export interface ResourceLocation {
  id: string;
  partitionKey: string;
  rowKey: string;
}

/** The table location of a resource from its API key; undefined when the key is not one of ours. */
export function locateResourceKey(key: string): ResourceLocation | undefined {
  if (!/^[A-Za-z0-9_-]{8,2800}$/.test(key)) return undefined;
  const id = Buffer.from(key, 'base64url').toString('utf8');
  if (resourceKeyFromId(id) !== key) return undefined;
  const parsed = parseResourceId(id);
  if (!parsed) return undefined;
  return {
    id,
    partitionKey: resourcePartitionKey(parsed.subscriptionId, parsed.type, parsed.resourceGroup),
    rowKey: resourceRowKey(id),
  };
}

export const SCAN_PARTITION = 'scan';
/** scans table: one row per listed scope (see CoverageRow), RowKey the escaped scope. */
export const COVERAGE_PARTITION = 'coverage';

export function taskRowKey(taskId: string): string {
  return `task|${taskId}`;
}

export function pageMarkerRowKey(taskId: string, page: number): string {
  return `page|${taskId}|${String(page).padStart(6, '0')}`;
}

/** A note a task keeps for its later pages, beside its page markers (see ScanStore.putTaskNote). */
export function taskNoteRowKey(taskId: string, key: string): string {
  return `note|${taskId}|${escapeKeyPart(key)}`;
}

export const FINALIZE_ROW_KEY = 'finalize';

/** Upper bound for a RowKey prefix range query: every key starting with prefix is < prefixEnd(prefix). */
export function prefixEnd(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

/** OData string literal, single quotes doubled. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Partition of one Azure DevOps project's repositories and deployments. */
export function devopsProjectPartitionKey(organization: string, project: string): string {
  return `${escapeKeyPart(organization)}|${escapeKeyPart(project)}`;
}

export function commitPartitionKey(organization: string, project: string, repositoryId: string): string {
  return `${devopsProjectPartitionKey(organization, project)}|${escapeKeyPart(repositoryId)}`;
}

export function deploymentRowKey(buildId: number): string {
  return String(buildId).padStart(10, '0');
}

export function applicationPartitionKey(environment: string): string {
  return escapeKeyPart(environment);
}

export function applicationRowKey(name: string): string {
  return escapeKeyPart(name);
}

/** A DevOps row's API `key`: the base64url of its PartitionKey and RowKey, reversible. */
export function tableKey(partitionKey: string, rowKey: string): string {
  return Buffer.from(`${partitionKey}\n${rowKey}`, 'utf8').toString('base64url');
}
