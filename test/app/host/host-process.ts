// A browser host in a process of its own, for the tests that try to take it down: in the
// test's own process an unhandled socket error would be caught by vitest instead of ending
// the host as it does under `npm run serve`. Runs app/host/serve.ts from source with the
// engine's TypeScript source (through tsx), in the folder given as its one argument
// (renderer/ and data/ are made there). Prints one JSON line { url, origin, token } when
// ready and shuts down cleanly (exit 0) on SIGTERM.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBrowserHost } from '../../../app/host/serve.js';

const dir = process.argv[2];
const rendererRoot = join(dir, 'renderer');
await mkdir(rendererRoot, { recursive: true });
await writeFile(join(rendererRoot, 'index.html'), '<!doctype html><title>Hark</title>');
const host = await startBrowserHost({
  rendererRoot,
  engine: { enginePath: join(import.meta.dirname, '../../../app/engine/main.ts'), execArgv: ['--import', 'tsx'], dataDir: join(dir, 'data'), version: '0.0.0-faults' },
});
process.stdout.write(`${JSON.stringify({ url: host.url, origin: host.origin, token: host.token })}\n`);

process.once('SIGTERM', () => {
  void host.close().finally(() => process.exit(0));
});
