// core/ is the pure library that runs unchanged in Node, the browser and workers. This
// scans every .ts file under core/ with the TypeScript parser (so comments and strings
// that merely mention a forbidden name never count) and fails on: imports of Electron,
// Vue, onnxruntime-*, any Node built-in (with or without `node:`), or anything outside
// core/; and uses of Math.random, window., document., process., Buffer. The ESLint rules
// in eslint.config.js say the same; this test keeps holding if the lint config changes.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const CORE = resolve(dirname(fileURLToPath(import.meta.url)), '../../core');

const LISTED_BUILTINS = [
  'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'https', 'net',
  'stream', 'url', 'util', 'buffer', 'events', 'process',
];
const NODE_BUILTINS = new Set([...LISTED_BUILTINS, ...builtinModules.map((m) => m.replace(/^node:/, '').split('/')[0])]);
const FORBIDDEN_GLOBALS = new Set(['window', 'document', 'process', 'Buffer']);

function forbiddenModule(specifier: string, fileName: string): string | null {
  if (specifier.startsWith('node:')) return 'a Node built-in';
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = resolve(dirname(fileName), specifier);
    return target === CORE || target.startsWith(CORE + sep) ? null : 'a module outside core/';
  }
  const root = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  if (root === 'electron') return 'Electron';
  if (root === 'vue' || root.startsWith('@vue/')) return 'Vue';
  if (root.startsWith('onnxruntime-')) return 'onnxruntime';
  if (NODE_BUILTINS.has(root)) return 'a Node built-in';
  return null;
}

/** Every violation in one source text, as "line: what". */
export function scanSource(text: string, fileName: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (node: ts.Node, what: string): void => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${line + 1}: ${what}`);
  };
  const checkSpecifier = (node: ts.Node, spec: ts.Node | undefined): void => {
    if (spec && ts.isStringLiteralLike(spec)) {
      const why = forbiddenModule(spec.text, fileName);
      if (why) report(node, `imports '${spec.text}' (${why})`);
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      checkSpecifier(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      checkSpecifier(node, node.moduleReference.expression);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      checkSpecifier(node, node.argument.literal);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isDynamicImport) checkSpecifier(node, node.arguments[0]);
      if (isRequire) report(node, 'calls require() (core/ is ESM)');
    } else if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const obj = node.expression;
      const prop = ts.isPropertyAccessExpression(node)
        ? node.name.text
        : ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression.text : null;
      if (ts.isIdentifier(obj) && FORBIDDEN_GLOBALS.has(obj.text)) report(node, `uses ${obj.text}.${prop ?? '[…]'}`);
      if (ts.isIdentifier(obj) && obj.text === 'Math' && prop === 'random') report(node, 'uses Math.random');
      if (ts.isIdentifier(obj) && obj.text === 'globalThis' && prop !== null && FORBIDDEN_GLOBALS.has(prop)) report(node, `uses globalThis.${prop}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function coreFiles(dir = CORE): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return coreFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('core/ purity', () => {
  it('no file under core/ imports a forbidden module or uses a forbidden global', () => {
    const files = coreFiles();
    // the scan is not vacuous: it sees the library's sources
    expect(files.length).toBeGreaterThan(15);
    for (const must of ['tensor/matmul.ts', 'tensor/random.ts', 'nn/classifier.ts', 'train/checkpoint.ts', 'util/crc32.ts']) {
      expect(files.map((f) => relative(CORE, f).split(sep).join('/'))).toContain(must);
    }
    const violations = files.flatMap((f) => scanSource(readFileSync(f, 'utf8'), f).map((v) => `core/${relative(CORE, f).split(sep).join('/')}:${v}`));
    expect(violations).toEqual([]);
  });
});

describe('the scanner', () => {
  const inCore = join(CORE, 'nn', 'example.ts');

  it.each([
    [`import { readFileSync } from 'fs';`, 'fs'],
    [`import { readFileSync } from 'node:fs';`, 'node:fs'],
    [`import * as p from 'fs/promises';`, 'fs/promises'],
    [`import type { Worker } from 'worker_threads';`, 'worker_threads'],
    [`import { createHash } from 'node:crypto';`, 'crypto'],
    [`import zlib from 'zlib';`, 'zlib (any built-in)'],
    [`import { ipcRenderer } from 'electron';`, 'electron'],
    [`import { ref } from 'vue';`, 'vue'],
    [`import * as ort from 'onnxruntime-web';`, 'onnxruntime-web'],
    [`import * as ort from 'onnxruntime-node';`, 'onnxruntime-node'],
    [`export { EventEmitter } from 'events';`, 're-export'],
    [`export * from 'node:stream';`, 'export *'],
    [`const os = await import('os');`, 'dynamic import'],
    [`const fs = require('fs');`, 'require'],
    [`import fs = require('fs');`, 'import = require'],
    [`let t: import('node:http').Server;`, 'import type'],
    [`import { x } from '../../app/main/index.js';`, 'outside core'],
    [`const r = Math.random();`, 'Math.random'],
    [`const r = Math['random']();`, 'Math[random]'],
    [`const w = window.innerWidth;`, 'window.'],
    [`document.title = 'x';`, 'document.'],
    [`if (process.env.DEBUG) {}`, 'process.'],
    [`const b = Buffer.from([1]);`, 'Buffer.'],
    [`const e = globalThis.process;`, 'globalThis.process'],
  ])('flags %s (%s)', (snippet) => {
    expect(scanSource(`// a header comment\n${snippet}\n`, inCore)).toHaveLength(1);
  });

  it('reports the line of each violation in a bad file', () => {
    const bad = [
      `import { Random } from '../tensor/random.js';`,
      `import { readFileSync } from 'node:fs';`,
      `export function noise(): number {`,
      `  return Math.random() + (typeof window === 'undefined' ? 0 : window.devicePixelRatio);`,
      `}`,
    ].join('\n');
    expect(scanSource(bad, inCore)).toEqual([
      `2: imports 'node:fs' (a Node built-in)`,
      '4: uses Math.random',
      '4: uses window.devicePixelRatio',
    ]);
  });

  it('ignores comments, strings and allowed imports', () => {
    const good = [
      `// Math.random is banned; never use window. or document. or process.env or Buffer.from`,
      `/* import fs from 'fs'; import { app } from 'electron'; require('os') */`,
      `/** Like Node's Buffer.alloc, but pure. See https://example.org/window.html */`,
      `import { Random } from '../tensor/random.js';`,
      `import type { Vec } from './vec.js';`,
      `export const note = "use window.foo or process.exit() elsewhere, not Math.random()";`,
      `export const tpl = \`import x from 'fs'\`;`,
      `const rng = { random: () => 4 };`,
      `export const r = rng.random() + Math.floor(1.5);`,
      `export function process(x: number): number { return x; }`,
      `export const cut = 10 // trailing comment: document.body`,
    ].join('\n');
    expect(scanSource(good, inCore)).toEqual([]);
  });
});
