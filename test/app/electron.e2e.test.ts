// The built app in real Electron, driven by Playwright's Electron support: the window's
// security as the page sees it, the page on hark://app/, the narrow preload API, and a round trip to
// the engine in its utility process over the MessagePort main hands the page.
//
// Needs Electron's binary, which machines installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1
// (the build and test machines, see ../shared/docs/environment.md) do not have; there the
// test is skipped and says so. To run it: `npx install-electron` (or a plain `npm ci`
// where Electron's download works), then `npm run build && npx vitest run test/app/electron.e2e.test.ts`
// (under Xvfb on a headless Linux box: `xvfb-run -a npx vitest run …`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../app/shared/protocol.js';

const root = join(import.meta.dirname, '../..');

/**
 * The Electron executable if installed, else null. Read from electron's path.txt rather
 * than require('electron'), which starts a download when the binary is missing.
 */
function electronBinary(): string | null {
  const pkg = join(root, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8').trim();
  const dist = process.env['ELECTRON_OVERRIDE_DIST_PATH'] ?? join(pkg, 'dist');
  const binary = join(dist, relative);
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
const title = 'launches the built app: locked-down window on hark://app/, narrow preload API, engine reachable over its MessagePort';
const skipReason =
  ' [SKIPPED: the Electron binary is not installed here (installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1); ' +
  'run `npx install-electron`, `npm run build`, then this file, under xvfb-run on headless Linux]';

describe('Electron end to end', () => {
  it.skipIf(binary === null)(binary === null ? title + skipReason : title, async () => {
    const app = await electron.launch({ executablePath: binary!, args: [join(root, 'out/main/index.js')], env: { ...process.env, ELECTRON_ENABLE_LOGGING: '1' } });
    try {
      const page = await app.firstWindow();
      expect(page.url()).toMatch(/^hark:\/\/app\//);

      // One window, and the engine in a utility process of its own.
      const processes = await app.evaluate(({ app: electronApp, BrowserWindow }) => ({
        windows: BrowserWindow.getAllWindows().length,
        engine: electronApp.getAppMetrics().some((m) => m.type === 'Utility' && m.name === 'Hark engine'),
      }));
      expect(processes).toEqual({ windows: 1, engine: true });

      // The page runs without Node (sandbox, no Node integration, isolated preload) and cannot open windows.
      // (The project typechecks tests without DOM types, hence globalThis and casts in page code.)
      const surface = await page.evaluate(() => {
        const w = globalThis as unknown as { hark: object; require?: unknown; process?: unknown; open(url: string): unknown };
        return {
          keys: Object.keys(w.hark).sort(),
          frozen: Object.isFrozen(w.hark),
          require: typeof w.require,
          process: typeof w.process,
          opened: w.open('https://example.com/') === null,
        };
      });
      expect(surface).toEqual({ keys: ['connectEngine', 'pickImportFolder', 'version'], frozen: true, require: 'undefined', process: 'undefined', opened: true });

      // A raw birpc request over the port main hands the page.
      const info = await page.evaluate(
        () =>
          new Promise<unknown>((resolve) => {
            type Port = { onmessage: ((m: { data: { i?: string; r?: unknown } }) => void) | null; postMessage(m: unknown): void };
            const w = globalThis as unknown as {
              hark: { connectEngine(): void };
              addEventListener(type: 'message', listener: (event: { data: { type?: string }; ports: Port[] }) => void): void;
            };
            w.addEventListener('message', (event) => {
              const port = event.ports[0];
              if (event.data?.type !== 'hark:engine-port' || !port) return;
              port.onmessage = (m) => {
                if (m.data.i === 'e2e') resolve(m.data.r);
              };
              port.postMessage({ t: 'q', i: 'e2e', m: 'engine.info', a: [] });
            });
            w.hark.connectEngine();
          }),
      );
      expect(info).toMatchObject({ protocol: PROTOCOL_VERSION, host: 'electron' });
    } finally {
      await app.close();
    }
  });
});
