const SUFFIXES = ['-api', '-web', '-service', '-backend', '-frontend', '-app'];

/**
 * The application a repository name (or an application tag) stands for: lower-cased, one
 * suffix of -api -web -service -backend -frontend -app stripped (reference-behaviour.md), so
 * the `orders-api` repository and resources tagged `application: orders-api` meet as `orders`.
 */
export function applicationName(raw: string): string {
  const name = raw
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  for (const suffix of SUFFIXES) {
    if (name.endsWith(suffix) && name.length > suffix.length) return name.slice(0, -suffix.length);
  }
  return name;
}
