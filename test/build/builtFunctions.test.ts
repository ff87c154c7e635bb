import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DISCOVERERS } from '../../src/discovery/registry';

const pascal = (s: string): string => s.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());

const root = path.resolve(__dirname, '../..');
const entry = path.join(root, 'dist/functions/index.js');

function requireBuilt(): void {
  if (!fs.existsSync(entry)) {
    throw new Error(`${entry} is missing: run "npm run build" first (npm test does it in its pretest step)`);
  }
}

/** Loads the built entry point in plain Node, as the Functions host does, recording registrations. */
const probe = `
const fns = require('@azure/functions');
const seen = [];
for (const kind of ['http', 'timer', 'storageQueue']) {
  fns.app[kind] = (name, options) => seen.push({ kind, name, route: options.route, methods: options.methods,
    schedule: options.schedule, queueName: options.queueName, connection: options.connection, authLevel: options.authLevel,
    handler: options.handler });
}
require(${JSON.stringify(entry)});
(async () => {
  const list = seen.find((s) => s.name === 'listResources');
  const res = await list.handler(new fns.HttpRequest({ method: 'GET', url: 'http://localhost/api/resources' }),
    new fns.InvocationContext({ functionName: 'listResources', logHandler: () => {} }));
  // The page needs neither settings nor storage: it is served even when the settings are bad.
  const ui = seen.find((s) => s.name === 'getUi');
  const page = await ui.handler(new fns.HttpRequest({ method: 'GET', url: 'http://localhost/api/ui' }),
    new fns.InvocationContext({ functionName: 'getUi', logHandler: () => {} }));
  console.log(JSON.stringify({ seen: seen.map(({ handler, ...s }) => s), response: { status: res.status, body: res.jsonBody },
    page: { status: page.status, type: page.headers['content-type'], html: String(page.body).slice(0, 200) } }));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('the built function files in plain Node', () => {
  it('register every function with the host API and answer with a JSON error for bad settings', () => {
    requireBuilt();
    const out = execFileSync(process.execPath, ['-e', probe], {
      cwd: root,
      env: { PATH: process.env.PATH, SCAN_SCHEDULE: 'every hour', AZURE_SUBSCRIPTION_IDS: 'nope' },
      encoding: 'utf8',
    });
    const { seen, response, page } = JSON.parse(out.trim().split('\n').pop() as string);
    const names = seen.map((s: { name: string }) => s.name).sort();
    expect(names).toEqual(
      [
        // one queue function and one poison handler per registered discoverer
        ...DISCOVERERS.flatMap((d) => [`discover${pascal(d.slug)}`, `poison${pascal(d.slug)}`]),
        'discoverDevopsBuilds',
        'discoverDevopsEnvironments',
        'discoverDevopsPipelines',
        'discoverDevopsProjects',
        'discoverDevopsRepositories',
        'discoverKubernetes',
        'finalizeScan',
        'getGraph',
        'getOpenApi',
        'getResource',
        'getScan',
        'getUi',
        'getUiAsset',
        'listChanges',
        'listDependencies',
        'listApplications',
        'listDeployments',
        'listPipelines',
        'listRepositories',
        'listResources',
        'listScans',
        'poisonDevopsBuilds',
        'poisonDevopsEnvironments',
        'poisonDevopsPipelines',
        'poisonDevopsProjects',
        'poisonDevopsRepositories',
        'poisonKubernetes',
        'poisonFinalizeScan',
        // Azure's resource events (src/events) and their poison queue
        'resourceEvents',
        'poisonResourceEvents',
        'scanWatchdog',
        'scheduledScan',
        'startScan',
      ].sort(),
    );
    expect(seen).toContainEqual(
      expect.objectContaining({ kind: 'timer', name: 'scheduledScan', schedule: '%SCAN_SCHEDULE%' }),
    );
    expect(seen).toContainEqual(
      expect.objectContaining({
        kind: 'storageQueue',
        name: 'poisonVirtualmachines',
        queueName: 'discover-virtualmachines-poison',
        connection: 'AzureWebJobsStorage',
      }),
    );
    expect(seen).toContainEqual(
      expect.objectContaining({ kind: 'http', name: 'getScan', route: 'scans/{scanId}', methods: ['GET'] }),
    );
    expect(seen).toContainEqual(
      expect.objectContaining({ kind: 'http', name: 'getUi', route: 'ui', authLevel: 'anonymous' }),
    );
    expect(
      seen
        .filter((s: { authLevel?: string }) => s.authLevel === 'anonymous')
        .map((s: { name: string }) => s.name)
        .sort(),
    ).toEqual(['getUi', 'getUiAsset']);
    expect(page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(page.html).toContain('<title>TopDeck</title>');
    expect(response.status).toBe(500);
    expect(response.body.error.code).toBe('ConfigurationError');
    expect(response.body.error.message).toContain('SCAN_SCHEDULE');
    expect(response.body.error.message).toContain('AZURE_SUBSCRIPTION_IDS');
  });

  it('load from an ES module too (the @azure/functions CommonJS trap)', () => {
    requireBuilt();
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(entry)}); console.log('loaded');`],
      { cwd: root, env: { PATH: process.env.PATH }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(out).toContain('loaded');
  });
});
