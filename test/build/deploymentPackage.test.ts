import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The deployment package, built the way `azd package` builds it (azure.yaml: remoteBuild false,
 * the prepackage hook runs scripts/stagePackage.mjs after `npm run build`), staged in a
 * temporary directory outside the project so that nothing can resolve from the project's own
 * node_modules: it must hold what runs in Azure and nothing else, and run on its own.
 */
const root = path.resolve(__dirname, '../..');
let out = '';

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist/functions/index.js'))) {
    throw new Error('dist/ is missing: run "npm run build" first (npm test does it in its pretest step)');
  }
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-package-'));
  execFileSync(process.execPath, [path.join(root, 'scripts/stagePackage.mjs'), out], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}, 300_000);

// Tens of thousands of files: removing them takes a while on a busy disk.
afterAll(async () => {
  if (out) await fs.promises.rm(out, { recursive: true, force: true });
}, 300_000);

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
}

/** Every installed package directory, as its package-lock key (node_modules/a/node_modules/b). */
function installed(dir: string, prefix = 'node_modules'): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory() || entry.name.startsWith('.')) return [];
    if (entry.name.startsWith('@')) {
      return fs
        .readdirSync(path.join(dir, entry.name), { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .flatMap((e) => {
          const key = `${prefix}/${entry.name}/${e.name}`;
          return [
            key,
            ...installed(path.join(dir, entry.name, e.name, 'node_modules'), `${key}/node_modules`),
          ];
        });
    }
    const key = `${prefix}/${entry.name}`;
    return [key, ...installed(path.join(dir, entry.name, 'node_modules'), `${key}/node_modules`)];
  });
}

describe('the deployment package (.package, as azd uploads it)', () => {
  it('holds dist/functions, dist/src, dist/ui, host.json, package.json, the lock file and node_modules, nothing else', () => {
    expect(fs.readdirSync(out).sort()).toEqual([
      'dist',
      'host.json',
      'node_modules',
      'package-lock.json',
      'package.json',
    ]);
    expect(fs.readdirSync(path.join(out, 'dist')).sort()).toEqual(['functions', 'src', 'ui']);
    expect(fs.readdirSync(path.join(out, 'dist', 'ui')).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    const sources = fs
      .readdirSync(path.join(out, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'));
    expect(sources).toEqual([]);
  });

  it('holds no devDependency: every installed package is one the lock file marks as production', () => {
    const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, LockEntry>;
    };
    const packages = installed(path.join(out, 'node_modules'));
    expect(packages.length).toBeGreaterThan(10);
    const dev = packages.filter((key) => {
      const entry = lock.packages[key];
      return entry === undefined || entry.dev === true;
    });
    expect(dev).toEqual([]);
    const devDependencies = Object.keys(
      (
        JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
          devDependencies: Record<string, string>;
        }
      ).devDependencies,
    );
    for (const name of ['typescript', 'vitest', 'azurite', 'eslint', 'prettier', 'tsx', 'tree-sitter-bicep'])
      expect(devDependencies).toContain(name);
    const topLevel = new Set(packages.map((key) => key.replace(/^node_modules\//, '')));
    for (const name of ['typescript', 'vitest', 'azurite', 'eslint', 'prettier', 'tsx', 'tree-sitter-bicep'])
      expect(topLevel.has(name), name).toBe(false);
  });

  it('loads the function entry in plain Node from the package alone and registers the functions', () => {
    const probe = `
      const fns = require('@azure/functions');
      const seen = [];
      for (const kind of ['http', 'timer', 'storageQueue'])
        fns.app[kind] = (name) => seen.push(kind + ':' + name);
      require(require('./package.json').main.replace(/^(?!\\.)/, './'));
      console.log(JSON.stringify({ seen, from: require.resolve('@azure/functions') }));
    `;
    const stdout = execFileSync(process.execPath, ['-e', probe], {
      cwd: out,
      env: { PATH: process.env.PATH, NODE_PATH: '' },
      encoding: 'utf8',
    });
    const { seen, from } = JSON.parse(stdout.trim().split('\n').pop() as string) as {
      seen: string[];
      from: string;
    };
    expect(from.startsWith(fs.realpathSync(out)) || from.startsWith(out)).toBe(true);
    expect(seen).toContain('http:startScan');
    expect(seen).toContain('timer:scheduledScan');
    expect(seen.some((s) => s.startsWith('storageQueue:'))).toBe(true);
  });

  it('.funcignore only names root paths, so it can never drop dist/src or dist/functions from a package', () => {
    const patterns = fs
      .readFileSync(path.join(root, '.funcignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(patterns.length).toBeGreaterThan(0);
    expect(patterns.filter((p) => !p.startsWith('/'))).toEqual([]);
    expect(patterns).not.toContain('/dist/');
    expect(patterns.some((p) => /\*\.ts$|\*\.js$/.test(p))).toBe(false);
  });
});
