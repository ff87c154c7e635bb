import type { CanonicalEnvironment } from './DevOpsItems';

const SEGMENT_ENVIRONMENTS: ReadonlyArray<[CanonicalEnvironment, readonly string[]]> = [
  ['production', ['prod', 'production', 'prd', 'live', 'prodution']],
  ['staging', ['staging', 'stage', 'stg', 'uat', 'preprod', 'pre']],
  ['development', ['dev', 'develop', 'development', 'devel']],
  ['test', ['test', 'tests', 'testing', 'tst', 'qa', 'qas']],
];

/** Lower-cased name segments: split on anything not a letter or digit, and at camelCase humps. */
export function nameSegments(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * The canonical environment a name means, matching whole name segments only, so
 * `product-catalog` is not production and `devops-tools` is not development.
 */
export function canonicalEnvironment(value: string | undefined): CanonicalEnvironment {
  if (!value) return 'unknown';
  const segments = nameSegments(value);
  for (const [env, words] of SEGMENT_ENVIRONMENTS) {
    if (segments.some((s) => words.includes(s))) return env;
  }
  return 'unknown';
}
