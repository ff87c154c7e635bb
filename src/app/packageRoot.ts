import fs from 'node:fs';
import path from 'node:path';

let cached: string | undefined;

/**
 * The folder holding package.json, found from this file's location, so that files the build
 * writes (dist/ui) are found alike from src/ (tests) and dist/src/ (npm start, Azure).
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'host.json'))) {
      cached = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = parent;
  }
}

/** The package version, for the OpenAPI document. */
export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}
