// electron-vite: main (ESM), preload (CommonJS, because sandboxed preloads can't be ESM)
// and the Vue renderer, all built into out/.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';
import { contentSecurityPolicy } from './app/shared/csp.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const fromRoot = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));
const { version } = JSON.parse(readFileSync(fromRoot('./package.json'), 'utf8')) as { version: string };

const CSP_META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")[^"]*(")/;

/**
 * `electron-vite dev`: the dev server injects component styles inline, so swap the
 * strict meta policy of renderer/index.html for the dev variant. Builds keep the file's.
 */
function devCspPlugin(): Plugin {
  return {
    name: 'hark:dev-csp',
    apply: 'serve',
    transformIndexHtml(html: string) {
      if (!CSP_META.test(html)) throw new Error('renderer/index.html lost its Content-Security-Policy meta');
      return html.replace(CSP_META, `$1${contentSecurityPolicy({ delivery: 'meta', dev: true })}$2`);
    },
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: fromRoot('./out/main'),
      // Five entries: Electron's main process (index), the engine that main forks with
      // utilityProcess and `npm run serve` forks with child_process (engine), the
      // data-parallel training thread and the feature-extraction thread that
      // app/node/threads.ts starts from the files next to the bundle (training-thread,
      // feature-thread), and the `hark` command (cli).
      lib: {
        entry: {
          index: fromRoot('./app/main/index.ts'),
          engine: fromRoot('./app/engine/main.ts'),
          'training-thread': fromRoot('./app/node/training-thread.ts'),
          'feature-thread': fromRoot('./app/node/feature-thread.ts'),
          cli: fromRoot('./app/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    define: { __APP_VERSION__: JSON.stringify(version) },
    build: {
      outDir: fromRoot('./out/preload'),
      lib: { entry: fromRoot('./app/preload/index.ts'), formats: ['cjs'], fileName: () => 'index.cjs' },
    },
  },
  renderer: {
    root: fromRoot('./renderer'),
    plugins: [vue(), devCspPlugin()],
    build: {
      outDir: fromRoot('./out/renderer'),
      rolldownOptions: { input: fromRoot('./renderer/index.html') },
    },
    server: { fs: { allow: [root] } },
  },
});
