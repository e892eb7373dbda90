// Electron main process: one window, served from hark://app/, locked down.
// The decisions live in small pure modules (window.ts, protocol.ts, permissions.ts,
// ../shared/csp.ts) that tests check without Electron; this file only wires them up.

import path from 'node:path';
import { app, BrowserWindow, protocol, session } from 'electron';
import { createWindowOptions } from './window.js';
import { hardenWebContents, installPermissionHandlers } from './security.js';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
} from './protocol.js';

// Built layout (electron-vite): out/main/index.js, out/preload/index.cjs, out/renderer/.
const RENDERER_ROOT = path.join(import.meta.dirname, '../renderer');
const PRELOAD_PATH = path.join(import.meta.dirname, '../preload/index.cjs');

// `electron-vite dev` serves the renderer with hot reload and names the URL here. Only
// honoured in an unpackaged app, so a packaged one always loads its own files.
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const trustedOrigins = devServerUrl ? [APP_ORIGIN, new URL(devServerUrl).origin] : [APP_ORIGIN];

// Must happen before 'ready'.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow(createWindowOptions({ preloadPath: PRELOAD_PATH, devTools: !app.isPackaged }));
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
  void window.loadURL(devServerUrl ?? APP_ENTRY_URL);
  return window;
}

function focusMainWindow(): void {
  if (mainWindow === null) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', focusMainWindow);

  // Every WebContents, including any a later feature creates.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_ROOT));
    installPermissionHandlers(session.defaultSession, trustedOrigins);
    mainWindow = createMainWindow();

    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow();
    });
  });
}
