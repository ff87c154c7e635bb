/**
 * Checks documentation against the code, so the two cannot drift: every shell command in a fenced
 * block (`npm run` scripts, `topdeck` commands and options, `curl …/api/…` routes and methods,
 * `node dist/…` entry points, `npx vitest run` files) must name something that exists, and every
 * relative link (and its anchor) must resolve. What exists is read from the code itself:
 * package.json's scripts, the CLI's commander program, the one list of function definitions and
 * the OpenAPI document built from it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command, Option } from 'commander';
import { buildProgram } from '../../src/cli/topdeck';
import { buildOpenApiDocument } from '../../src/openapi/buildOpenApiDocument';
import { ROUTE_DOCS } from '../../src/openapi/routeDocs';
import { createFunctionDefinitions, httpRoutes } from '../../src/runtime/definitions';

export interface Problem {
  file: string;
  line: number;
  message: string;
}

export interface ShellCommand {
  line: number;
  text: string;
}

/** What the docs may name, read from the code. */
export interface Known {
  root: string;
  scripts: ReadonlySet<string>;
  program: Command;
  /** the options `npm start -- …` accepts: the flags the local runtime's parser compares against */
  startOptions: ReadonlySet<string>;
  /** `{ method, pattern }` for every route of the OpenAPI document (paths relative to /api) */
  routes: ReadonlyArray<{ method: string; path: string; pattern: RegExp }>;
}

const SHELL_LANGUAGES = new Set(['bash', 'sh', 'shell', 'console']);

export function knownFromCode(root: string): Known {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  // The definitions are only listed, never run: their services are never asked for.
  const definitions = createFunctionDefinitions(() =>
    Promise.reject(new Error('the docs check reads the definitions only')),
  );
  const document = buildOpenApiDocument(httpRoutes(definitions), ROUTE_DOCS, { version: 'docs' }) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes = Object.entries(document.paths).flatMap(([p, operations]) =>
    Object.keys(operations).map((method) => ({
      method: method.toUpperCase(),
      path: p,
      pattern: new RegExp(
        `^${p
          .split(/\{\w+\}/)
          .map((s) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
          .join('[^/]+')}$`,
      ),
    })),
  );
  const runtimeCli = fs.readFileSync(path.join(root, 'src', 'runtime', 'cli.ts'), 'utf8');
  return {
    root,
    scripts: new Set(Object.keys(pkg.scripts ?? {})),
    startOptions: new Set([...runtimeCli.matchAll(/\ba === '(--?[\w-]+)'/g)].map((m) => m[1] as string)),
    program: buildProgram(
      () => undefined,
      () => undefined,
    ),
    routes,
  };
}

/** README.md, CONTRIBUTING.md and docs/*.md, as paths relative to `root`. */
export function documentationFiles(root: string): string[] {
  const top = ['README.md', 'CONTRIBUTING.md'].filter((f) => fs.existsSync(path.join(root, f)));
  const docsDir = path.join(root, 'docs');
  const docs = fs.existsSync(docsDir)
    ? fs
        .readdirSync(docsDir)
        .filter((f) => f.endsWith('.md'))
        .sort()
        .map((f) => `docs/${f}`)
    : [];
  return [...top, ...docs];
}

/** The markdown with fenced blocks and inline code blanked out (line numbers kept). */
function prose(markdown: string): string {
  return markdown
    .replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/`[^`\n]*`/g, (code) => ' '.repeat(code.length));
}

/** Commands of the shell blocks: continuation lines joined, comments and prompts removed. */
export function shellCommands(markdown: string): ShellCommand[] {
  const out: ShellCommand[] = [];
  const lines = markdown.split('\n');
  let fence: string | undefined;
  let shell = false;
  let pending: ShellCommand | undefined;
  lines.forEach((raw, i) => {
    const open = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(raw);
    if (fence === undefined) {
      if (open) {
        fence = open[1];
        shell = SHELL_LANGUAGES.has((open[2] ?? '').toLowerCase());
      }
      return;
    }
    if (raw.trim() === fence) {
      fence = undefined;
      return;
    }
    if (!shell) return;
    const text = withoutComment(raw).replace(/^\s*\$\s+/, '');
    const continued = /\\\s*$/.test(text);
    const piece = text.replace(/\\\s*$/, '');
    if (pending) pending.text += ` ${piece.trim()}`;
    else if (piece.trim()) pending = { line: i + 1, text: piece.trim() };
    if (!continued && pending) {
      out.push(pending);
      pending = undefined;
    }
  });
  return out;
}

/** A line without its `# comment` (a `#` outside quotes that starts a word). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) {
      return line.slice(0, i);
    }
  }
  return line;
}

/** The simple commands of a line (split at `&&`, `||`, `;`, `|`), each as words, quotes removed. */
export function simpleCommands(text: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  let depth = 0; // inside $( ... ): kept in the word, not split
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === '$' && text[i + 1] === '(') depth++;
    if (c === ')' && depth > 0) depth--;
    if (depth === 0 && (c === '&' || c === '|' || c === ';')) {
      endCommand();
      if (text[i + 1] === c) i++;
      continue;
    }
    if (depth === 0 && /\s/.test(c)) {
      endWord();
      continue;
    }
    word += c;
    inWord = true;
  }
  endCommand();
  // leading `NAME=value` assignments are the environment, not the command
  return commands
    .map((w) => {
      let k = 0;
      while (k < w.length && /^[A-Za-z_]\w*=/.test(w[k] as string)) k++;
      return w.slice(k);
    })
    .filter((w) => w.length > 0);
}

function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

/** Problems with `topdeck <args>`: the command must exist, and each `--option` be one of its own. */
export function checkCli(args: readonly string[], program: Command): string[] {
  const problems: string[] = [];
  let command: Command | undefined;
  const options = (): readonly Option[] => [...program.options, ...(command?.options ?? [])];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg.startsWith('-')) {
      const flag = arg.split('=')[0] as string;
      if (flag === '--help' || flag === '-h') continue;
      const option = options().find((o) => o.long === flag || o.short === flag);
      if (!option) {
        problems.push(`topdeck${command ? ` ${command.name()}` : ''} has no option ${flag}`);
        continue;
      }
      if (takesValue(option) && !arg.includes('=')) i++;
      continue;
    }
    if (command) continue; // an argument of the command
    command = program.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!command) {
      problems.push(
        `topdeck has no command "${arg}" (it has: ${program.commands.map((c) => c.name()).join(', ')})`,
      );
      return problems;
    }
  }
  return problems;
}

/** Problems with one simple command (words as the shell would pass them). */
export function checkCommand(words: readonly string[], known: Known): string[] {
  const [tool, ...rest] = words;
  switch (tool) {
    case 'npm':
      return checkNpm(rest, known);
    case 'topdeck':
      return checkCli(rest, known.program);
    case 'node':
      return checkNode(rest, known);
    case 'npx':
      return rest[0] === 'vitest' ? checkVitest(rest.slice(1), known) : [];
    case 'curl':
      return checkCurl(rest, known);
    default:
      return [];
  }
}

function checkNpm(args: readonly string[], known: Known): string[] {
  const [sub, ...rest] = args;
  let script: string | undefined;
  let after: readonly string[] = [];
  if (sub === 'run' || sub === 'run-script') {
    const i = rest.findIndex((a) => !a.startsWith('-'));
    script = rest[i];
    after = rest.slice(i + 1);
  } else if (sub === 'start' || sub === 'test') {
    script = sub;
    after = rest;
  }
  if (script === undefined) return [];
  if (!known.scripts.has(script)) return [`package.json has no script "${script}"`];
  if (script === 'topdeck' && after[0] === '--') return checkCli(after.slice(1), known.program);
  if (script === 'start' && after[0] === '--')
    return after
      .slice(1)
      .filter((a) => a.startsWith('-') && !known.startOptions.has(a))
      .map((a) => `npm start has no option ${a} (src/runtime/cli.ts)`);
  return [];
}

function checkNode(args: readonly string[], known: Known): string[] {
  const file = args.find((a) => !a.startsWith('-'));
  if (!file) return [];
  const built = /^dist\/(.+)\.js$/.exec(file);
  if (built) {
    const source = `${built[1] as string}.ts`;
    return fs.existsSync(path.join(known.root, source))
      ? []
      : [`node ${file}: there is no ${source} to build it from`];
  }
  return fs.existsSync(path.join(known.root, file)) ? [] : [`node ${file}: no such file`];
}

function checkVitest(args: readonly string[], known: Known): string[] {
  return args
    .filter((a) => /\.test\.ts$/.test(a))
    .filter((a) => !fs.existsSync(path.join(known.root, a)))
    .map((a) => `npx vitest: no test file ${a}`);
}

function checkCurl(args: readonly string[], known: Known): string[] {
  const url = args.find((a) => a.includes('/api/'));
  if (!url) return [];
  let method: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-X' || a === '--request') method = (args[i + 1] ?? '').toUpperCase();
    else if (a.startsWith('-X') && a.length > 2) method = a.slice(2).toUpperCase();
  }
  const sendsData = args.some((a) => /^(-d|--data(-raw|-binary)?|--json)$/.test(a));
  method ??= sendsData ? 'POST' : 'GET';
  const routePath = `/${(url.split('/api/')[1] ?? '').split(/[?#]/)[0] as string}`;
  const matching = known.routes.filter((r) => r.pattern.test(routePath));
  if (matching.length === 0) return [`no route /api${routePath} in the function definitions`];
  if (!matching.some((r) => r.method === method))
    return [
      `/api${routePath} does not answer ${method} (it answers ${matching.map((r) => r.method).join(', ')})`,
    ];
  return [];
}

/** GitHub's anchors for the headings of a markdown file (outside code). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const counts = new Map<string, number>();
  const original = markdown.split('\n');
  prose(markdown)
    .split('\n')
    .forEach((line, i) => {
      if (!/^#{1,6}\s/.test(line)) return;
      // the prose has inline code blanked; the anchor is made from the heading as written
      const text = (original[i] ?? '').replace(/^#{1,6}\s+/, '').replace(/\s+#*\s*$/, '');
      const base = text
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-');
      const n = counts.get(base) ?? 0;
      counts.set(base, n + 1);
      anchors.add(n === 0 ? base : `${base}-${n}`);
    });
  return anchors;
}

/** Problems with the relative links (and images) of one file. */
export function checkLinks(file: string, markdown: string, root: string): Problem[] {
  const problems: Problem[] = [];
  const dir = path.dirname(path.join(root, file));
  prose(markdown)
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
        const target = m[1] as string;
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, ...
        const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
        const resolved = pathPart ? path.resolve(dir, decodeURIComponent(pathPart)) : path.join(root, file);
        const where = { file, line: i + 1 };
        if (!fs.existsSync(resolved)) {
          problems.push({ ...where, message: `link to ${target}: no such file` });
          continue;
        }
        if (anchor !== undefined && resolved.endsWith('.md')) {
          const anchors = headingAnchors(fs.readFileSync(resolved, 'utf8'));
          if (!anchors.has(anchor))
            problems.push({
              ...where,
              message: `link to ${target}: ${path.relative(root, resolved)} has no heading #${anchor}`,
            });
        }
      }
    });
  return problems;
}

/** Paragraphs (prose, 100 characters or more, tables aside) that appear in more than one place. */
export function repeatedParagraphs(files: ReadonlyArray<{ file: string; markdown: string }>): Problem[] {
  const seen = new Map<string, { file: string; line: number }>();
  const problems: Problem[] = [];
  for (const { file, markdown } of files) {
    const lines = prose(markdown).split('\n');
    let start = 0;
    for (let i = 0; i <= lines.length; i++) {
      if (i < lines.length && (lines[i] ?? '').trim() !== '') continue;
      const text = lines.slice(start, i).join(' ').replace(/\s+/g, ' ').trim();
      const at = { file, line: start + 1 };
      start = i + 1;
      if (text.length < 100 || text.startsWith('|')) continue;
      const first = seen.get(text);
      if (first)
        problems.push({
          ...at,
          message: `paragraph repeated from ${first.file}:${first.line}: "${text.slice(0, 60)}…"`,
        });
      else seen.set(text, at);
    }
  }
  return problems;
}

/** Every problem of the given files (paths relative to `root`). */
export function checkDocs(root: string, files: readonly string[], known: Known): Problem[] {
  const problems: Problem[] = [];
  const contents = files.map((file) => ({ file, markdown: fs.readFileSync(path.join(root, file), 'utf8') }));
  for (const { file, markdown } of contents) {
    for (const command of shellCommands(markdown)) {
      for (const words of simpleCommands(command.text)) {
        for (const message of checkCommand(words, known))
          problems.push({ file, line: command.line, message });
      }
    }
    problems.push(...checkLinks(file, markdown, root));
  }
  problems.push(...repeatedParagraphs(contents));
  return problems;
}
