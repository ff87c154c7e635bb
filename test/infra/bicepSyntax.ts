import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Language, Parser, type Node, type Tree } from 'web-tree-sitter';

/**
 * Just enough of a Bicep reader for the infra tests: tree-sitter-bicep parses the files
 * (the Bicep CLI cannot be installed here), and these helpers walk the syntax tree.
 */

export interface BicepFile {
  /** Absolute path. */
  file: string;
  /** Path relative to the project root, for messages. */
  relative: string;
  source: string;
  tree: Tree;
  root: Node;
}

export interface Declaration {
  /** `parameter`, `variable`, `resource`, `module`, `output`, `type`, ... (the node type without `_declaration`). */
  kind: string;
  name: string;
  node: Node;
  /** Decorator names in order, e.g. ['secure', 'description']. */
  decorators: string[];
}

export interface ErrorPosition {
  line: number;
  column: number;
  type: string;
  text: string;
}

export async function loadBicepParser(projectRoot: string): Promise<Parser> {
  const requireFromProject = createRequire(path.join(projectRoot, 'package.json'));
  await Parser.init();
  const language = await Language.load(
    requireFromProject.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'),
  );
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

export function parseBicep(parser: Parser, projectRoot: string, file: string): BicepFile {
  const source = readFileSync(file, 'utf8');
  const tree = parser.parse(source);
  if (!tree) throw new Error(`tree-sitter returned no tree for ${file}`);
  return { file, relative: path.relative(projectRoot, file), source, tree, root: tree.rootNode };
}

export function children(node: Node): Node[] {
  return node.children.filter((c): c is Node => c !== null);
}

export function namedChildren(node: Node): Node[] {
  return node.namedChildren.filter((c): c is Node => c !== null);
}

/** Every node of the subtree, depth first. */
export function descendants(node: Node): Node[] {
  const out: Node[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    out.push(n);
    stack.push(...children(n).reverse());
  }
  return out;
}

/** ERROR and MISSING nodes, 1-based lines and columns. */
export function syntaxErrors(root: Node): ErrorPosition[] {
  return descendants(root)
    .filter((n) => n.isError || n.isMissing)
    .map((n) => ({
      line: n.startPosition.row + 1,
      column: n.startPosition.column + 1,
      type: n.isMissing ? `MISSING ${n.type}` : n.type,
      text: n.text.slice(0, 80),
    }));
}

/** Top-level declarations with the decorators written above them. */
export function declarations(file: BicepFile): Declaration[] {
  const out: Declaration[] = [];
  let pending: string[] = [];
  for (const node of namedChildren(file.root)) {
    if (node.type === 'decorators') {
      pending = namedChildren(node).map(decoratorName);
      continue;
    }
    if (node.type === 'comment' || node.type === 'diagnostic_comment') continue;
    if (node.type.endsWith('_declaration')) {
      const identifier = namedChildren(node).find((c) => c.type === 'identifier');
      out.push({
        kind: node.type.replace(/_declaration$/, ''),
        name: identifier?.text ?? '',
        node,
        decorators: pending,
      });
    }
    pending = [];
  }
  return out;
}

function decoratorName(decorator: Node): string {
  const call = namedChildren(decorator).find((c) => c.type === 'call_expression');
  const fn = call?.childForFieldName('function');
  // `@sys.description(...)` is a member expression; keep the last segment.
  return (fn?.text ?? decorator.text).replace(/^@/, '').split('.').pop() ?? '';
}

export function find(file: BicepFile, kind: string, name: string): Declaration | undefined {
  return declarations(file).find((d) => d.kind === kind && d.name === name);
}

const ESCAPES: Record<string, string> = {
  "\\'": "'",
  '\\\\': '\\',
  '\\n': '\n',
  '\\r': '\r',
  '\\t': '\t',
  '\\$': '$',
};

/** The value of a plain string literal, or undefined for anything else (interpolations included). */
export function stringLiteral(node: Node | null | undefined): string | undefined {
  if (!node || node.type !== 'string') return undefined;
  const parts = namedChildren(node);
  if (parts.some((p) => p.type === 'interpolation')) return undefined;
  return parts.map((p) => (p.type === 'escape_sequence' ? (ESCAPES[p.text] ?? p.text) : p.text)).join('');
}

/** The literal text before the first interpolation of a string, e.g. '@Microsoft.KeyVault(SecretUri=' . */
export function stringPrefix(node: Node): string {
  let prefix = '';
  for (const part of namedChildren(node)) {
    if (part.type === 'interpolation') break;
    prefix += part.text;
  }
  return prefix;
}

export function stringLiterals(node: Node): string[] {
  return descendants(node)
    .filter((n) => n.type === 'string')
    .flatMap((n) =>
      namedChildren(n)
        .filter((p) => p.type === 'string_content')
        .map((p) => p.text),
    );
}

/** The string path of a `module`, `import` or `resource` declaration. */
export function declarationString(decl: Declaration): string | undefined {
  const s = namedChildren(decl.node).find((c) => c.type === 'string');
  return stringLiteral(s);
}

/** The object a resource or module declaration assigns, looking through `if (...)` and `for ...`. */
export function bodyObject(node: Node): Node | undefined {
  for (const child of namedChildren(node)) {
    if (child.type === 'object') return child;
    if (child.type === 'if_statement') return bodyObject(child);
    if (child.type === 'for_statement') {
      const body = child.childForFieldName('body');
      if (body?.type === 'object') return body;
      if (body) return bodyObject(body);
    }
  }
  return undefined;
}

export function isConditional(node: Node): boolean {
  return namedChildren(node).some((c) => c.type === 'if_statement');
}

export function isLoop(node: Node): boolean {
  return namedChildren(node).some((c) => c.type === 'for_statement');
}

/** Property keys and values of an object literal (keys unquoted). */
export function properties(object: Node | undefined): Map<string, Node> {
  const out = new Map<string, Node>();
  if (!object || object.type !== 'object') return out;
  for (const prop of namedChildren(object)) {
    if (prop.type !== 'object_property') continue;
    const [key, value] = namedChildren(prop);
    if (!key || !value) continue;
    const name = key.type === 'string' ? (stringLiteral(key) ?? key.text) : key.text;
    out.set(name, value);
  }
  return out;
}

/** Follows a path of property names through nested object literals. */
export function property(object: Node | undefined, ...keys: string[]): Node | undefined {
  let current: Node | undefined = object;
  for (const key of keys) {
    current = properties(current).get(key);
    if (!current) return undefined;
  }
  return current;
}

/** Resource declarations as { type, apiVersion } from their `'Type@version'` string. */
export function resourceType(decl: Declaration): { type: string; apiVersion: string | undefined } {
  const text = declarationString(decl) ?? '';
  const at = text.lastIndexOf('@');
  return at < 0
    ? { type: text, apiVersion: undefined }
    : { type: text.slice(0, at), apiVersion: text.slice(at + 1) };
}

export function isExisting(decl: Declaration): boolean {
  return children(decl.node).some((c) => c.type === 'existing');
}

/** Parameter facts: whether it has a default (or a nullable type), and its decorators. */
export function parameterInfo(decl: Declaration): { name: string; hasDefault: boolean; nullable: boolean } {
  const nodes = children(decl.node);
  const hasDefault = nodes.some((c) => c.type === '=');
  const type = nodes.find((c) => c.type === 'type');
  const nullable = type ? descendants(type).some((n) => n.type === 'nullable_type') : false;
  return { name: decl.name, hasDefault, nullable };
}

/** Call expressions of a given function name anywhere in the subtree. */
export function calls(node: Node, functionName: string): Node[] {
  return descendants(node).filter(
    (n) => n.type === 'call_expression' && n.childForFieldName('function')?.text === functionName,
  );
}

export function callArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  return args ? namedChildren(args) : [];
}
