// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Modules core/ may never import: it is the pure library shared by the engine (Node),
// the renderer (browser) and the CLI, so it must run unchanged in all three.
const forbiddenInCore = [
  'electron', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http',
  'https', 'net', 'stream', 'url', 'util', 'buffer', 'events', 'process', 'vue',
  'onnxruntime-node', 'onnxruntime-web',
].flatMap((name) => [name, `node:${name}`, `${name}/*`]);

export default tseslint.config(
  { ignores: ['node_modules/', 'out/', 'dist/', 'release/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
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
