// Stages the deployment package azd uploads to the Function App (azure.yaml: dist .package,
// remoteBuild false): exactly what runs in Azure, and nothing else.
//   .package/host.json, package.json, package-lock.json
//   .package/dist/functions, .package/dist/src   (the compiled code; no tests, no benchmarks)
//   .package/dist/ui                             (the operator page, GET /api/ui)
//   .package/node_modules                        (`npm ci --omit=dev`: production dependencies only)
// Run after `npm run build`:  node scripts/stagePackage.mjs [outDir]
// The test test/build/deploymentPackage.test.ts stages into a temporary directory the same way.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(root, process.argv[2] ?? '.package');

for (const required of [
  'dist/functions/index.js',
  'dist/ui/index.html',
  'host.json',
  'package.json',
  'package-lock.json',
]) {
  if (!fs.existsSync(path.join(root, required))) {
    console.error(`stagePackage: ${required} is missing; run "npm ci && npm run build" first`);
    process.exit(1);
  }
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'dist'), { recursive: true });
for (const file of ['host.json', 'package.json', 'package-lock.json']) {
  fs.copyFileSync(path.join(root, file), path.join(out, file));
}
for (const dir of ['functions', 'src', 'ui']) {
  fs.cpSync(path.join(root, 'dist', dir), path.join(out, 'dist', dir), { recursive: true });
}

// --ignore-scripts: no production dependency needs an install script to run, and the package
// must not depend on what a build machine's scripts would fetch.
execFileSync(
  process.platform === 'win32' ? 'npm.cmd' : 'npm',
  ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'],
  { cwd: out, stdio: ['ignore', 'ignore', 'inherit'], shell: process.platform === 'win32' },
);
console.log(`stagePackage: ${path.relative(root, out) || out} holds the deployment package`);
