// Electron main process: one window, served from hark://app/, locked down, and the engine
// in a utility process whose life follows the window. Main only brokers: it hands the page
// a MessagePort to the engine and shows the folder dialog; audio and data never pass here.
// The decisions live in small modules (window.ts, ../node/app-protocol.ts, permissions.ts,
// ipc-senders.ts, ipc.ts, engine-host.ts, ../shared/csp.ts) that tests check without
// Electron; this file only wires them up.

import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, MessageChannelMain, protocol, session, utilityProcess } from 'electron';
import { IPC_CHANNELS } from '../shared/api.js';
import { EngineHost } from './engine-host.js';
import { registerIpcHandlers, type IpcMainLike } from './ipc.js';
import { createWindowOptions } from './window.js';
import { hardenWebContents, installPermissionHandlers } from './security.js';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  createAppProtocolHandler,
} from '../node/app-protocol.js';

// Built layout (electron-vite): out/main/index.js, out/preload/index.cjs, out/renderer/.
const RENDERER_ROOT = path.join(import.meta.dirname, '../renderer');
const PRELOAD_PATH = path.join(import.meta.dirname, '../preload/index.cjs');
const ENGINE_PATH = path.join(import.meta.dirname, 'engine.js');

// `electron-vite dev` serves the renderer with hot reload and names the URL here. Only
// honoured in an unpackaged app, so a packaged one always loads its own files.
const devServerUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined;
const trustedOrigins = devServerUrl ? [APP_ORIGIN, new URL(devServerUrl).origin] : [APP_ORIGIN];

// Must happen before 'ready'.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;

// Projects live under the user-data folder; the engine gets only this path from main.
const engine = new EngineHost({
  fork: () =>
    utilityProcess.fork(ENGINE_PATH, ['--data', app.getPath('userData'), '--host', 'electron', '--version', app.getVersion()], {
      serviceName: 'Hark engine',
      stdio: 'inherit',
    }),
  createChannel: () => new MessageChannelMain(),
  sendToPage: (port, notice) => {
    const contents = mainWindow?.webContents;
    if (!contents || contents.isDestroyed()) return;
    contents.postMessage(IPC_CHANNELS.enginePort, notice, port ? [port as Electron.MessagePortMain] : []);
  },
});

function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow(createWindowOptions({ preloadPath: PRELOAD_PATH, devTools: !app.isPackaged }));
  window.once('ready-to-show', () => window.show());
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
    void engine.stop();
  });
  if (!engine.running) engine.start();
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

  app.on('before-quit', () => void engine.stop());

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(() => {
    protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_ROOT));
    installPermissionHandlers(session.defaultSession, trustedOrigins);
    registerIpcHandlers(ipcMain as unknown as IpcMainLike, {
      trusted: () => ({ origins: trustedOrigins, webContentsId: mainWindow?.webContents.id ?? null }),
      connectEngine: () => engine.connectPage(),
      pickImportFolder: async () => {
        if (!mainWindow) return null;
        const choice = await dialog.showOpenDialog(mainWindow, { title: 'Import a folder of recordings', properties: ['openDirectory'] });
        const folder = choice.canceled ? undefined : choice.filePaths[0];
        return folder === undefined ? null : engine.grantFolder(folder);
      },
    });
    mainWindow = createMainWindow();

    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow();
    });
  });
}
