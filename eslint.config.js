// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import pluginVue from 'eslint-plugin-vue';

// Modules core/ may never import: it is the pure library shared by the engine (Node),
// the renderer (browser) and the CLI, so it must run unchanged in all three.
const forbiddenInCore = [
  'electron', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http',
  'https', 'net', 'stream', 'url', 'util', 'buffer', 'events', 'process', 'vue',
  'onnxruntime-node', 'onnxruntime-web',
].flatMap((name) => [name, `node:${name}`, `${name}/*`]);

// app/'s rooms. Four entry points, siblings that never import each other: `cli` (the hark
// command), `engine` (the utility process), `main` (Electron's main process) and `host`
// (the browser host). What they share lives in `node` (Node-only library: dataset store,
// WAV files, training runner and threads, ONNX Runtime engine, host lifecycle) and in
// `shared` (the protocol and what the renderer may use too: no Node). `preload` sees only
// `shared`. A relative import is matched by the folder it names; type-only imports count.
// Dynamic import() is not seen by this rule: test/app/layering.test.ts checks every import.
const APP_ROOMS = ['cli', 'engine', 'main', 'host', 'node', 'shared', 'preload'];
/** no-restricted-imports options refusing imports of app/'s `rooms` from a file in app/`from`. */
function appLayering(from, rooms, why) {
  return {
    files: [`app/${from}/**/*.ts`],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: `^\\.{1,2}/(.*/)?(${rooms.join('|')})(/|$)`, message: `app/${from} may not import app/{${rooms.join(',')}}: ${why}` }],
      }],
    },
  };
}
const entryPoints = ['cli', 'engine', 'main', 'host'];
const others = (...allowed) => APP_ROOMS.filter((r) => !allowed.includes(r));

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'coverage/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // A function longer than a screenful does more than one thing: split it into named steps.
      'max-lines-per-function': ['error', { max: 120, skipBlankLines: true, skipComments: true }],
    },
  },
  // Renderer (Vue 3 in Chromium): .vue files parsed by vue-eslint-parser with TypeScript
  // inside <script lang="ts">; browser globals; no Electron or Node imports; and only
  // renderer/src/bridge.ts may touch the preload's `window.hark`.
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['renderer/**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    files: ['renderer/**/*.{ts,vue}', 'app/preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    ignores: ['renderer/src/bridge.ts'],
    rules: {
      'no-restricted-properties': ['error',
        { object: 'window', property: 'hark', message: 'Use renderer/src/bridge.ts.' },
        { object: 'globalThis', property: 'hark', message: 'Use renderer/src/bridge.ts.' },
      ],
      'no-restricted-globals': ['error', { name: 'hark', message: 'Use renderer/src/bridge.ts.' }],
    },
  },
  ...entryPoints.map((room) => appLayering(room, others(room, 'node', 'shared'), 'entry points share code through app/node and app/shared.')),
  appLayering('node', others('node', 'shared'), 'the Node library serves the entry points and knows none of them.'),
  appLayering('preload', others('preload', 'shared'), 'the preload is a narrow bridge over the protocol.'),
  {
    files: ['app/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { regex: `^\\.{1,2}/(.*/)?(${others('shared').join('|')})(/|$)`, message: 'app/shared is what the renderer may use too: it imports only core/ and app/shared.' },
          { group: ['node:*', 'electron', 'ws', 'onnxruntime-node', ...builtinModules, ...builtinModules.map((m) => `${m}/*`)], message: 'app/shared runs in the renderer too: no Node.' },
        ],
      }],
    },
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer reaches the app only through renderer/src/bridge.ts.' }],
        patterns: [
          { group: ['node:*'], message: 'The renderer runs in Chromium, without Node.' },
          { regex: `^\\.{1,2}/(.*/)?app/(${others('shared').join('|')})(/|$)`, message: 'The renderer uses app/shared only; the rest of app/ is Node.' },
        ],
      }],
    },
  },
  {
    files: ['core/**/*.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: forbiddenInCore.filter((n) => !n.endsWith('/*')),
        patterns: [
          { group: forbiddenInCore.filter((n) => n.endsWith('/*')), message: 'core/ runs unchanged in Node, the renderer and the CLI.' },
          { regex: '^\\.{1,2}/(.*/)?(app|renderer)(/|$)', message: 'core/ is the library everything else builds on: it imports nothing outside core/.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'window', message: 'core/ must not use the DOM.' },
        { name: 'document', message: 'core/ must not use the DOM.' },
        { name: 'navigator', message: 'core/ must not use the DOM.' },
        { name: 'process', message: 'core/ must not use Node globals.' },
        { name: 'Buffer', message: 'core/ must not use Node globals.' },
        { name: 'require', message: 'core/ is ESM and runtime-neutral.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'Use the seeded PRNG in core/tensor/random.ts.' },
      ],
    },
  },
);
