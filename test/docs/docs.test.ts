import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkDocs,
  documentationFiles,
  knownFromCode,
  shellCommands,
  simpleCommands,
  type Known,
} from './checkDocs';

const ROOT = path.resolve(__dirname, '../..');

describe('the documentation matches the code', () => {
  let known: Known;
  let files: string[];
  beforeAll(() => {
    known = knownFromCode(ROOT);
    files = documentationFiles(ROOT);
  });

  it('reads the README, CONTRIBUTING.md and every page of docs/', () => {
    expect(files).toContain('README.md');
    expect(files).toContain('CONTRIBUTING.md');
    expect(files.filter((f) => f.startsWith('docs/')).length).toBeGreaterThanOrEqual(8);
  });

  it('finds the commands it checks (so a pass means something)', () => {
    const words = files.flatMap((f) =>
      shellCommands(fs.readFileSync(path.join(ROOT, f), 'utf8')).flatMap((c) => simpleCommands(c.text)),
    );
    const count = (tool: string, test: (w: string[]) => boolean = () => true) =>
      words.filter((w) => w[0] === tool && test(w)).length;
    expect(count('npm', (w) => w[1] === 'run' || w[1] === 'start' || w[1] === 'test')).toBeGreaterThanOrEqual(
      10,
    );
    expect(count('npm', (w) => w[2] === 'topdeck')).toBeGreaterThanOrEqual(3);
    expect(count('curl', (w) => w.some((x) => x.includes('/api/')))).toBeGreaterThanOrEqual(5);
    expect(known.routes.length).toBeGreaterThanOrEqual(10);
    expect(known.startOptions).toContain('--once');
    expect(known.startOptions.size).toBeGreaterThanOrEqual(8);
  });

  it('every documented command, route and relative link exists; no paragraph is repeated', () => {
    const problems = checkDocs(ROOT, files, known).map((p) => `${p.file}:${p.line}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('lists every page of docs/ in the README, so each question finds its page by name', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const unlisted = files.filter((f) => f.startsWith('docs/') && !readme.includes(`](${f})`));
    expect(unlisted).toEqual([]);
  });

  it('keeps the README a front door: 200 lines at most', () => {
    const lines = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n').length - 1;
    expect(lines).toBeLessThanOrEqual(200);
  });

  it('starts every page of docs/ with a title and a line of prose saying what it answers', () => {
    for (const f of files.filter((x) => x.startsWith('docs/'))) {
      const [title, blank, first] = fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n');
      expect(title, f).toMatch(/^# \S/);
      expect(blank, f).toBe('');
      // prose, not a heading, table, list, picture or code: the sentence a reader sees first
      expect(first, f).toMatch(/^[^#|`!\-*>\s]/);
    }
  });
});

describe('the docs check', () => {
  it('reports each kind of mistake in a fixture, and nothing for its correct lines', () => {
    const known = knownFromCode(ROOT);
    const problems = checkDocs(ROOT, ['test/docs/fixtures/broken.md'], known).map(
      (p) => `${p.line}: ${p.message}`,
    );
    expect(problems).toEqual([
      '9: package.json has no script "no-such-script"',
      '10: npm start has no option --turbo (src/runtime/cli.ts)',
      '13: topdeck has no command "frobnicate" (it has: scan, status, resources, deps, changes, demo)',
      '14: topdeck resources has no option --colour',
      '17: node dist/bench/noSuchBench.js: there is no bench/noSuchBench.ts to build it from',
      '18: npx vitest: no test file test/docs/missing.test.ts',
      '22: no route /api/nothing in the function definitions',
      '23: /api/scans does not answer DELETE (it answers POST, GET)',
      '24: /api/resources does not answer POST (it answers GET)',
      '31: link to missing.md: no such file',
      '31: link to ../../../docs/api.md#no-such-heading: docs/api.md has no heading #no-such-heading',
      '32: link to #nowhere: test/docs/fixtures/broken.md has no heading #nowhere',
      '32: link to missing.png: no such file',
      expect.stringMatching(
        /^39: paragraph repeated from test\/docs\/fixtures\/broken\.md:36: "This paragraph/,
      ),
    ]);
  });

  it('splits a line into commands the way the shell does', () => {
    expect(simpleCommands(`A=1 npm run build --silent && node "dist/x y.js" | tee out; echo '#1'`)).toEqual([
      ['npm', 'run', 'build', '--silent'],
      ['node', 'dist/x y.js'],
      ['tee', 'out'],
      ['echo', '#1'],
    ]);
    expect(simpleCommands('KEY=$(az functionapp keys list -g "$RG" | head -1)')).toEqual([]);
    expect(
      shellCommands(
        '```bash\ncurl -X POST \\\n  http://h/api/scans  # start one\n```\n```text\nnpm run nope\n```',
      ),
    ).toEqual([{ line: 2, text: 'curl -X POST http://h/api/scans' }]);
  });
});
