// The browser host of app/host/serve.ts (what `npm run serve` runs) over the built app:
// out/renderer and the engine bundle out/main/engine.js, with a temporary data folder.

import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBrowserHost, type BrowserHost } from '../../../app/host/serve.js';
import { requireBuiltRenderer } from './app.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

export async function startHost(): Promise<BrowserHost & { dataDir: string; stop(): Promise<void> }> {
  const rendererRoot = requireBuiltRenderer();
  const enginePath = join(ROOT, 'out', 'main', 'engine.js');
  if (!existsSync(enginePath)) throw new Error('out/main/engine.js is missing: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'hark-e2e-data-'));
  const host = await startBrowserHost({ rendererRoot, engine: { enginePath, dataDir, version: '0.0.0-e2e' } });
  return Object.assign(host, {
    dataDir,
    async stop() {
      await host.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  });
}
