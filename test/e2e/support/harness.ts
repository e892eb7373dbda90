// Builds renderer/harness (a test-only page around the app's real useMicrophone) with
// Vite, the same bundler the app uses, so the AudioWorklet is emitted and loaded exactly
// as in the app build. One build per test file, into a temporary folder (outside the
// repository, so lint never sees bundles).

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';

const ROOT = join(import.meta.dirname, '..', '..', '..');

export async function buildHarness(name: string): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), `hark-harness-${name}-`));
  await build({
    configFile: false,
    root: join(ROOT, 'renderer', 'harness'),
    base: './',
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false },
  });
  return outDir;
}
