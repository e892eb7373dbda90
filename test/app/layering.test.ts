// app/'s rooms and the whole tree's import graph. Four entry points (cli, engine, main,
// host) never import each other and share code through app/node (Node only) and app/shared
// (no Node: the renderer uses it too); app/node knows no entry point; core/ imports nothing
// outside core/. And no module imports itself through others (an import circle), type-only
// imports included. Every .ts file is parsed with TypeScript, so comments never count. The
// ESLint rules in eslint.config.js say the same while editing; this test holds if they change,
// and checks that the rule refuses a wrong import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** What each room of app/ may import besides itself and core/. */
const MAY_IMPORT: Record<string, string[]> = {
  cli: ['node', 'shared'], engine: ['node', 'shared'], main: ['node', 'shared'], host: ['node', 'shared'],
  node: ['shared'], shared: [], preload: ['shared'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|vue)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The module specifiers a file imports or re-exports (static, dynamic and type-only). */
function specifiers(file: string): string[] {
  let text = readFileSync(join(ROOT, file), 'utf8');
  if (file.endsWith('.vue')) text = [...text.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteralLike(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteralLike(node.argument.literal)) found.push(node.argument.literal.text);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) found.push(node.arguments[0].text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repository file a relative specifier names ('./x.js' → 'dir/x.ts'), or null for a package. */
function resolveImport(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = relative(ROOT, resolve(ROOT, dirname(from), specifier)).split(sep).join('/');
  for (const candidate of [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, `${target}/index.ts`]) {
    try { if (statSync(join(ROOT, candidate)).isFile()) return candidate; } catch { /* not this one */ }
  }
  return target;
}

const room = (file: string): string | null => (file.startsWith('app/') ? file.split('/')[1] : null);

/** Every import from app/ that crosses into a room it may not use, as "file → target". */
function layeringViolations(files: string[], read: (file: string) => string[] = specifiers): string[] {
  const wrong: string[] = [];
  for (const file of files) {
    const from = room(file)!;
    for (const spec of read(file)) {
      const target = resolveImport(file, spec);
      if (target === null || target.startsWith('core/')) continue;
      const to = room(target);
      if (to !== from && !(to && MAY_IMPORT[from].includes(to))) wrong.push(`${file} → ${target}`);
    }
  }
  return wrong;
}

/** The strongly connected components of more than one module (Tarjan), each sorted. */
function importCircles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], onStack = new Set<string>();
  const circles: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter); low.set(v, counter); counter++;
    stack.push(v); onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = ''; w !== v;) { w = stack.pop()!; onStack.delete(w); component.push(w); }
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return circles;
}

describe('app/ layering', () => {
  const appFiles = sourceFiles('app');

  it('has the rooms the rules name, and entry points that import no other entry point, app/node none, app/shared no Node room', () => {
    expect(new Set(appFiles.map((f) => room(f)))).toEqual(new Set(Object.keys(MAY_IMPORT)));
    expect(layeringViolations(appFiles)).toEqual([]);
  });

  it('the check sees a wrong import and lets the allowed ones through', () => {
    const imports: Record<string, string[]> = {
      'app/cli/commands/x.ts': ['../../engine/service.js', '../../node/dataset/store.js'],
      'app/node/x.ts': ['../host/serve.js', '../shared/protocol.js', '../../core/errors.js', 'node:fs'],
      'app/shared/x.ts': ['../node/wav-file.js'],
      'app/engine/x.ts': ['./service.js', '../node/onnx-engine.js', '../shared/protocol.js'],
    };
    expect(layeringViolations(Object.keys(imports), (f) => imports[f])).toEqual([
      'app/cli/commands/x.ts → app/engine/service.ts',
      'app/node/x.ts → app/host/serve.ts',
      'app/shared/x.ts → app/node/wav-file.ts',
    ]);
  });

  it('ESLint refuses an entry point importing another, app/node importing an entry point, and app/shared importing Node code', async () => {
    const eslint = new ESLint({ cwd: ROOT });
    const lint = async (filePath: string, code: string): Promise<string[]> =>
      (await eslint.lintText(code, { filePath: join(ROOT, filePath) }))[0].messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
    expect(await lint('app/cli/probe.ts', "import { EngineService } from '../engine/service.js';\nexport const x = EngineService;\n")).toHaveLength(1);
    expect(await lint('app/cli/commands/probe.ts', "import type { OpenProject } from '../../engine/projects.js';\nexport type X = OpenProject;\n")).toHaveLength(1);
    expect(await lint('app/main/probe.ts', "export { serve } from '../host/serve.js';\n")).toHaveLength(1);
    expect(await lint('app/node/probe.ts', "import { run } from '../cli/index.js';\nexport const x = run;\n")).toHaveLength(1);
    expect(await lint('app/shared/probe.ts', "import { openDataset } from '../node/dataset/store.js';\nexport const x = openDataset;\n")).toHaveLength(1);
    expect(await lint('app/shared/probe.ts', "import { readFile } from 'node:fs/promises';\nimport { join } from 'path';\nexport const x = [readFile, join];\n")).toHaveLength(2);
    expect(await lint('app/engine/probe.ts', "export * from '../cli';\n")).toHaveLength(1);
    expect(await lint('core/probe.ts', "import { SAMPLE_RATE } from '../app/shared/protocol.js';\nexport const x = SAMPLE_RATE;\n")).toHaveLength(1);
    expect(await lint('renderer/src/probe.ts', "import { openDataset } from '../../app/node/dataset/store.js';\nexport const x = openDataset;\n")).toHaveLength(1);
    // And lets the allowed ones through.
    expect(await lint('app/cli/probe.ts', "import { openDataset } from '../node/dataset/store.js';\nimport { SAMPLE_RATE } from '../shared/protocol.js';\nexport const x = [openDataset, SAMPLE_RATE];\n")).toEqual([]);
  });
});

describe('import circles', () => {
  it('none in app/, core/ or renderer/ (type-only imports count)', () => {
    const files = [...sourceFiles('app'), ...sourceFiles('core'), ...sourceFiles('renderer/src')];
    const graph = new Map(files.map((f) => [f, specifiers(f).map((s) => resolveImport(f, s)).filter((t): t is string => t !== null)]));
    expect(importCircles(graph)).toEqual([]);
  });

  it('the search finds a circle when there is one', () => {
    expect(importCircles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
  });
});
