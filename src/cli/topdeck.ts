#!/usr/bin/env node
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isTopDeckError, TopDeckError } from '../errors/TopDeckError';
import { ESTATE_CHANGE_KINDS, type EstateChangeKind } from '../emulator/estateChanges';
import { postEstateChange } from '../emulator/postEstateChange';
import { readDemoEmulatorState } from '../runtime/startDemoEmulator';
import { DEFAULT_URL, TopDeckClient } from './TopDeckClient';
import { formatTable } from './formatTable';

/**
 * `topdeck`: the HTTP API from a terminal. Tables for people, `--json` for scripts. Exit codes:
 * 0 done (a waited-for scan completed), 1 a waited-for scan ended partial or failed,
 * 2 the command could not run (bad usage, unreachable URL, refused, not found).
 */

interface Scan {
  scanId: string;
  status: string;
  trigger: string;
  startedAt: string;
  completedAt?: string;
  tasks: { total: number; completed: number; failed: number; skipped: number; pending: number };
  pages: number;
  counts: { resources: number; dependencies: number; added: number; modified: number; removed: number };
  errors: Array<{ code: string; count: number; message: string }>;
}

interface Resource {
  id: string;
  key: string;
  name: string;
  type: string;
  resourceGroup: string;
  location: string;
  status: string;
}

interface WalkedEdge {
  sourceId: string;
  targetId: string;
  category: string;
  method: string;
  evidence: string;
  depth: number;
}

interface Change {
  scanId: string;
  at: string;
  kind: string;
  resourceId: string;
  targetId?: string;
  method?: string;
  type: string;
  name: string;
  paths?: Array<{ path: string }>;
  trigger?: string;
  actor?: string;
}

const TERMINAL = ['completed', 'partial', 'failed'];

function positiveInt(max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`must be a whole number from 1 to ${max}`);
    return n;
  };
}

function shortId(id: string): string {
  if (id.startsWith('external:')) return id;
  return id.split('/').filter(Boolean).pop() ?? id;
}

function scanTable(scans: Scan[]): string {
  return formatTable(
    ['SCAN', 'STATUS', 'TRIGGER', 'STARTED', 'TASKS', 'RESOURCES', 'ADDED', 'MODIFIED', 'REMOVED'],
    scans.map((s) => [
      s.scanId,
      s.status,
      s.trigger,
      s.startedAt,
      `${s.tasks.completed + s.tasks.failed + s.tasks.skipped}/${s.tasks.total}`,
      s.counts.resources,
      s.counts.added,
      s.counts.modified,
      s.counts.removed,
    ]),
  );
}

function scanDetail(s: Scan): string {
  const lines = [
    `scan ${s.scanId}: ${s.status} (${s.trigger}), started ${s.startedAt}${s.completedAt ? `, ended ${s.completedAt}` : ''}`,
    `tasks ${s.tasks.completed} completed, ${s.tasks.failed} failed, ${s.tasks.skipped} skipped, ${s.tasks.pending} pending of ${s.tasks.total}; pages ${s.pages}`,
    `resources ${s.counts.resources}, dependencies ${s.counts.dependencies}; added ${s.counts.added}, modified ${s.counts.modified}, removed ${s.counts.removed}`,
  ];
  for (const e of s.errors) lines.push(`error ${e.code} x${e.count}: ${e.message}`);
  return lines.join('\n');
}

function progressLine(s: Scan): string {
  const done = s.tasks.completed + s.tasks.failed + s.tasks.skipped;
  return `${s.scanId} ${s.status}: tasks ${done}/${s.tasks.total}, pages ${s.pages}, resources ${s.counts.resources}, errors ${s.errors.reduce((n, e) => n + e.count, 0)}`;
}

export function buildProgram(out: (text: string) => void, err: (text: string) => void): Command {
  const program = new Command('topdeck')
    .description('See a TopDeck estate from the terminal: scans, resources, dependencies, changes.')
    .addOption(new Option('--url <url>', 'TopDeck base URL').env('TOPDECK_URL').default(DEFAULT_URL))
    .addOption(new Option('--key <key>', 'function key of a deployed TopDeck').env('TOPDECK_KEY'))
    .option('--json', 'print JSON instead of a table', false)
    .showHelpAfterError()
    .configureOutput({ writeOut: out, writeErr: err });
  const client = () => {
    const o = program.opts<{ url: string; key?: string }>();
    return new TopDeckClient(o.url, o.key);
  };
  const json = () => program.opts<{ json: boolean }>().json;
  const print = (value: unknown, human: () => string) =>
    out(`${json() ? JSON.stringify(value, null, 2) : human()}\n`);

  program
    .command('scan')
    .description('start a scan; with --wait, follow it and exit 0 if it completed, 1 if partial or failed')
    .option('--wait', 'follow the scan until it ends', false)
    .option('--subscription <ids...>', 'only these subscriptions')
    .option('--type <types...>', 'only these resource types')
    .option('--group <name>', 'only this resource group')
    .addOption(
      new Option('--poll-ms <ms>', 'how often to ask, in milliseconds')
        .default(1000)
        .argParser(positiveInt(60_000))
        .hideHelp(),
    )
    .action(
      async (o: {
        wait: boolean;
        subscription?: string[];
        type?: string[];
        group?: string;
        pollMs: number;
      }) => {
        const started = await client().post<{ scanId: string; status: string; statusUrl: string }>('/scans', {
          ...(o.subscription ? { subscriptionIds: o.subscription } : {}),
          ...(o.type ? { resourceTypes: o.type } : {}),
          ...(o.group ? { resourceGroup: o.group } : {}),
        });
        if (!o.wait) {
          print(
            started,
            () =>
              `scan ${started.scanId} ${started.status}; follow it with: topdeck status ${started.scanId}`,
          );
          return;
        }
        let last = '';
        for (;;) {
          const scan = await client().get<Scan>(`/scans/${encodeURIComponent(started.scanId)}`);
          const line = progressLine(scan);
          // Progress goes to stderr, so stdout stays one JSON document with --json.
          if (line !== last) err(`${line}\n`);
          last = line;
          if (TERMINAL.includes(scan.status)) {
            print(scan, () => scanDetail(scan));
            if (scan.status !== 'completed') process.exitCode = 1;
            return;
          }
          await new Promise((r) => setTimeout(r, o.pollMs));
        }
      },
    );

  program
    .command('status')
    .description('recent scans, or one scan in detail')
    .argument('[scanId]', 'a scan id from the list')
    .action(async (scanId?: string) => {
      if (scanId) {
        const scan = await client().get<Scan>(`/scans/${encodeURIComponent(scanId)}`);
        print(scan, () => scanDetail(scan));
      } else {
        const list = await client().get<{ items: Scan[] }>('/scans', { limit: 20 });
        print(list, () =>
          list.items.length ? scanTable(list.items) : 'no scan yet; start one with: topdeck scan --wait',
        );
      }
    });

  program
    .command('resources')
    .description('resources, filtered')
    .option('--type <type>', 'ARM type, e.g. Microsoft.Compute/virtualMachines (any case)')
    .option('--subscription <id>', 'subscription id')
    .option('--group <name>', 'resource group')
    .option('--limit <n>', 'at most this many', positiveInt(100_000), 100)
    .action(async (o: { type?: string; subscription?: string; group?: string; limit: number }) => {
      const items: Resource[] = [];
      let token: string | undefined;
      do {
        const page = await client().get<{ items: Resource[]; continuationToken?: string }>('/resources', {
          type: o.type,
          subscriptionId: o.subscription,
          resourceGroup: o.group,
          limit: Math.min(1000, o.limit - items.length),
          continuationToken: token,
        });
        items.push(...page.items);
        token = page.continuationToken;
      } while (token && items.length < o.limit);
      const result = token ? { items, continuationToken: token } : { items };
      print(result, () =>
        items.length
          ? formatTable(
              ['NAME', 'TYPE', 'GROUP', 'LOCATION', 'STATUS', 'KEY'],
              items.map((r) => [r.name, r.type, r.resourceGroup, r.location, r.status, r.key]),
            ) + (token ? `\n(more: raise --limit)` : '')
          : 'no resource matches',
      );
    });

  program
    .command('deps')
    .description('what a resource depends on (or, with --in, what depends on it), transitively')
    .argument('<resource>', 'ARM id, resource key, or external:<host>')
    .option('--in', 'what depends on it (the blast radius)', false)
    .option('--depth <n>', 'hops, 1 to 10', positiveInt(10), 1)
    .action(async (resource: string, o: { in: boolean; depth: number }) => {
      const r = await client().get<{ items: WalkedEdge[] }>('/dependencies', {
        resourceId: resource,
        direction: o.in ? 'in' : 'out',
        depth: o.depth,
      });
      print(r, () =>
        r.items.length
          ? formatTable(
              [
                'DEPTH',
                o.in ? 'DEPENDENT' : 'FROM',
                o.in ? 'ON' : 'DEPENDS ON',
                'CATEGORY',
                'METHOD',
                'EVIDENCE',
              ],
              r.items.map((e) => [
                e.depth,
                shortId(e.sourceId),
                shortId(e.targetId),
                e.category,
                e.method,
                e.evidence,
              ]),
            )
          : o.in
            ? 'nothing depends on it'
            : 'it depends on nothing TopDeck knows of',
      );
    });

  program
    .command('changes')
    .description('what changed since a time')
    .requiredOption('--since <time>', 'ISO 8601 time, e.g. 2026-11-28T00:00:00Z')
    .option('--until <time>', 'ISO 8601 time')
    .option('--resource <id>', 'one resource (ARM id)')
    .option('--type <type>', 'one ARM type')
    .option('--scan <scanId>', 'one scan')
    .option('--actor <who>', 'changes this UPN, display name or application id made (events)')
    .option('--limit <n>', 'at most this many', positiveInt(1000), 100)
    .action(
      async (o: {
        since: string;
        until?: string;
        resource?: string;
        type?: string;
        scan?: string;
        actor?: string;
        limit: number;
      }) => {
        const page = await client().get<{ items: Change[]; continuationToken?: string }>('/changes', {
          since: o.since,
          until: o.until,
          resourceId: o.resource,
          type: o.type,
          scanId: o.scan,
          actor: o.actor,
          limit: o.limit,
        });
        print(page, () =>
          page.items.length
            ? formatTable(
                ['AT', 'KIND', 'NAME', 'TYPE', 'BY', 'DETAIL'],
                page.items.map((c) => [
                  c.at,
                  c.kind,
                  c.name,
                  c.type,
                  c.trigger === 'event' ? (c.actor ?? 'event') : 'scan',
                  c.targetId
                    ? `${shortId(c.targetId)} (${c.method})`
                    : (c.paths?.map((p) => p.path).join(', ') ?? ''),
                ]),
              )
            : 'no change in that window',
        );
      },
    );

  program
    .command('demo')
    .description('the demo estate of `npm start`')
    .command('change')
    .description(
      `change the demo estate as someone in the portal would; it emits the resource event Azure would (${ESTATE_CHANGE_KINDS.join(', ')})`,
    )
    .argument('<kind>', ESTATE_CHANGE_KINDS.join(' | '))
    .option('--resource <id>', 'the resource to change (default: the next suitable one)')
    .option('--upn <upn>', "the actor's UPN", 'demo.operator@contoso.example')
    .option('--app-id <id>', 'act as an application instead of a user')
    .option('--emulator <url>', 'the demo emulator (default: the one `npm start` runs from --data-dir)')
    .option('--data-dir <dir>', "`npm start`'s data folder", '.topdeck')
    .action(
      async (
        kind: string,
        o: { resource?: string; upn: string; appId?: string; emulator?: string; dataDir: string },
      ) => {
        if (!(ESTATE_CHANGE_KINDS as readonly string[]).includes(kind))
          throw new TopDeckError({
            code: 'InvalidArgument',
            message: `unknown change "${kind}": use one of ${ESTATE_CHANGE_KINDS.join(', ')}`,
            transient: false,
          });
        const state = readDemoEmulatorState(`${o.dataDir}/demo-emulator.json`);
        if (!state?.caPem)
          throw new TopDeckError({
            code: 'NoDemoEmulator',
            message: `no demo emulator found in ${o.dataDir}: start one with \`npm start\` (without Azure settings), or pass --data-dir`,
            transient: false,
          });
        const endpoint = o.emulator ?? `https://127.0.0.1:${state.port}`;
        const applied = await postEstateChange(endpoint, state.caPem, {
          kind: kind as EstateChangeKind,
          ...(o.resource ? { resourceId: o.resource } : {}),
          actor: o.appId ? { appId: o.appId } : { upn: o.upn },
        }).catch((e: Error) => {
          throw new TopDeckError({ code: 'EmulatorRefused', message: e.message, transient: false });
        });
        print(
          applied,
          () =>
            `${applied.kind}: ${applied.resourceId} (${applied.events.length} event${applied.events.length === 1 ? '' : 's'} queued)`,
        );
      },
    );
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function runCli(
  argv: string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  const program = buildProgram(out, err).exitOverride();
  for (const c of program.commands) c.exitOverride();
  process.exitCode = undefined;
  try {
    await program.parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (isTopDeckError(e)) {
      err(`topdeck: ${e.message}\n`);
      return 2;
    }
    err(`topdeck: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
