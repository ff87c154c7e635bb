import type { Resource } from '../discovery/Resource';
import type { CoverageRow } from '../scan/ScanRecords';
import { scopesOfPartition } from '../scan/taskScope';

/**
 * A row is rewritten only when it changes, so its stored `lastSeenAt`/`scanId` say when it last
 * changed; the last scan that listed its scope cleanly saw it too. The API answers the later.
 */
export function withCoverage(
  resource: Resource,
  partitionKey: string,
  coverage: ReadonlyMap<string, CoverageRow>,
): Resource {
  let best: CoverageRow | undefined;
  for (const scope of scopesOfPartition(partitionKey)) {
    const c = coverage.get(scope);
    if (c && (!best || c.at > best.at)) best = c;
  }
  if (!best || best.at <= resource.lastSeenAt) return resource;
  return { ...resource, lastSeenAt: best.at, scanId: best.scanId };
}

export function coverageMap(rows: CoverageRow[]): Map<string, CoverageRow> {
  return new Map(rows.map((r) => [r.scope, r]));
}
