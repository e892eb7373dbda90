// @ts-check
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

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'coverage/', 'scratch/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
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
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'electron', message: 'The renderer reaches the app only through renderer/src/bridge.ts.' }],
        patterns: [{ group: ['node:*'], message: 'The renderer runs in Chromium, without Node.' }],
      }],
    },
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
  {
    files: ['core/**/*.ts'],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      'no-restricted-imports': ['error', { paths: forbiddenInCore.filter((n) => !n.endsWith('/*')), patterns: forbiddenInCore.filter((n) => n.endsWith('/*')) }],
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
