import { execFile } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/runtime/freePort';
import { ids } from '../dependencies/handMadeEstate';
import { seedConnectedEstate } from '../support/connectedEstate';
import { startTestHost, type TestHost } from '../support/localHost';

/** The built `bin` (npm test builds first), run as a user runs it. */
const BIN = path.resolve(__dirname, '..', '..', 'dist', 'src', 'cli', 'topdeck.js');

function topdeck(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('the topdeck CLI against the local runtime', () => {
  let host: TestHost;
  let url: string[];
  beforeAll(async () => {
    host = await startTestHost({
      emulator: { subscriptionCount: 2, connected: false, vmsPerSubscription: 40, pageSize: 25 },
      // a test fails a scan with a fault in a Resource Manager VM listing
      env: { TOPDECK_INVENTORY_SOURCE: 'arm' },
    });
    await seedConnectedEstate(host.services);
    url = ['--url', host.baseUrl];
  });
  afterAll(async () => host?.stop());

  it('scan --wait follows the scan on stderr, prints it as JSON and exits 0 when it completed', async () => {
    const r = await topdeck([...url, '--json', 'scan', '--wait', '--poll-ms', '100']);
    expect(r.code, r.stderr).toBe(0);
    const scan = JSON.parse(r.stdout) as { scanId: string; status: string; counts: { resources: number } };
    expect(scan.status).toBe('completed');
    expect(scan.counts.resources).toBe(80);
    // Resource Manager listings: per subscription the generic list and the VM listing it names
    expect(r.stderr).toMatch(new RegExp(`${scan.scanId} completed: tasks 4/4`));
  });

  it('status lists scans (table and JSON) and shows one', async () => {
    const list = await topdeck([...url, '--json', 'status']);
    expect(list.code).toBe(0);
    const items = (JSON.parse(list.stdout) as { items: Array<{ scanId: string }> }).items;
    expect(items.length).toBeGreaterThanOrEqual(1);
    const table = await topdeck([...url, 'status']);
    expect(table.stdout.split('\n')[0]).toMatch(/^SCAN\s+STATUS\s+TRIGGER/);
    expect(table.stdout).toContain(items[0]?.scanId);
    const one = await topdeck([...url, 'status', items[0]?.scanId as string]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^scan \S+: completed/);
  });

  it('resources filters by type and group, with TOPDECK_URL instead of --url', async () => {
    const r = await topdeck(
      ['--json', 'resources', '--type', 'microsoft.compute/VIRTUALMACHINES', '--limit', '500'],
      {
        TOPDECK_URL: host.baseUrl,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const items = (JSON.parse(r.stdout) as { items: Array<{ type: string }> }).items;
    // 80 demo VMs and the hand-made estate's one VM
    expect(items).toHaveLength(81);
    const sub = ids.vm.split('/')[2] as string;
    const g = await topdeck([
      ...url,
      'resources',
      '--subscription',
      sub,
      '--group',
      'rg-app',
      '--limit',
      '3',
    ]);
    expect(g.stdout.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+GROUP/);
    expect(g.stdout).toContain('(more: raise --limit)');
  });

  it('deps shows what a resource depends on, and with --in the blast radius', async () => {
    const out = await topdeck([...url, '--json', 'deps', ids.vm]);
    expect(out.code).toBe(0);
    const targets = (JSON.parse(out.stdout) as { items: Array<{ targetId: string }> }).items.map(
      (e) => e.targetId,
    );
    expect(targets).toContain(ids.nic);
    const blast = await topdeck([...url, '--json', 'deps', ids.subnetWeb, '--in', '--depth', '5']);
    const dependents = (JSON.parse(blast.stdout) as { items: Array<{ sourceId: string }> }).items.map(
      (e) => e.sourceId,
    );
    expect(dependents).toEqual(expect.arrayContaining([ids.nic, ids.vm, ids.lb]));
    const human = await topdeck([...url, 'deps', ids.subnetWeb, '--in', '--depth', '5']);
    expect(human.stdout).toMatch(/^DEPTH\s+DEPENDENT\s+ON/);
    expect(human.stdout).toContain('nic-vm1');
  });

  it('changes --since lists what changed', async () => {
    const r = await topdeck([
      ...url,
      '--json',
      'changes',
      '--since',
      '2020-01-01T00:00:00Z',
      '--limit',
      '1000',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const kinds = new Set(
      (JSON.parse(r.stdout) as { items: Array<{ kind: string }> }).items.map((c) => c.kind),
    );
    // the first scan is a baseline: one item per subscription, none per resource or edge
    expect(kinds).toEqual(new Set(['baseline']));
    const human = await topdeck([...url, 'changes', '--since', '2020-01-01T00:00:00Z', '--limit', '2']);
    expect(human.stdout.split('\n')[0]).toMatch(/^AT\s+KIND\s+NAME\s+TYPE\s+BY\s+DETAIL$/);
    expect(human.stdout.trim().split('\n')).toHaveLength(3);
    const missing = await topdeck([...url, 'changes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("required option '--since <time>' not specified");
  });

  it('exits 1 when a waited-for scan ends partial', async () => {
    const sub = host.emulator.estate.subscriptions[0]?.subscriptionId as string;
    host.emulator.addFault({
      path: new RegExp(`${sub}/providers/Microsoft.Compute/virtualMachines$`),
      status: 403,
    });
    try {
      const r = await topdeck([...url, 'scan', '--wait', '--poll-ms', '100']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^scan \S+: partial/);
      expect(r.stdout).toMatch(/error \w+ x1: /);
    } finally {
      host.emulator.clearFaults();
    }
  });

  it('says what to do when the URL does not answer, the key is refused, or the id is unknown', async () => {
    const unreachable = await topdeck(['--url', `http://127.0.0.1:${await freePort()}`, 'status']);
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toMatch(
      /^topdeck: cannot reach TopDeck at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); start it with "npm start", or pass --url/,
    );

    // A deployed TopDeck without the right key: the host answers 401 before any function runs.
    const guarded = http.createServer((req, res) => {
      res.writeHead(req.headers['x-functions-key'] === 'right' ? 200 : 401, {
        'content-type': 'application/json',
      });
      res.end(req.headers['x-functions-key'] === 'right' ? '{"items":[]}' : '');
    });
    await new Promise<void>((r) => guarded.listen(0, '127.0.0.1', r));
    const guardedUrl = `http://127.0.0.1:${(guarded.address() as { port: number }).port}`;
    try {
      const refused = await topdeck(['--url', guardedUrl, 'status']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        'refused the call (401); pass its function key with --key or TOPDECK_KEY',
      );
      const allowed = await topdeck(['--url', guardedUrl, 'status'], { TOPDECK_KEY: 'right' });
      expect(allowed.code, allowed.stderr).toBe(0);
      expect(allowed.stdout).toContain('no scan yet');
    } finally {
      guarded.close();
    }

    const unknown = await topdeck([...url, 'status', 'no-such-scan']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      'topdeck: no scan has id "no-such-scan"; GET /api/scans lists recent scans\n',
    );
  });
});
