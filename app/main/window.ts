// The main window's options. Pure (type-only Electron import), so tests can check every
// security flag without launching Electron; app/main/index.ts passes the result to
// `new BrowserWindow`.

import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

export interface WindowSettings {
  /** Absolute path of the built preload script (CommonJS: sandboxed preloads can't be ESM). */
  readonly preloadPath: string;
  /** DevTools are for development builds only. */
  readonly devTools: boolean;
}

/**
 * The renderer's webPreferences: isolated, sandboxed, no Node, web security on, nothing
 * remote or experimental. Spelled out even where it is Electron's default, so a change
 * of default (or of this file) shows up in the tests.
 */
export function createWebPreferences(settings: WindowSettings): WebPreferences {
  return {
    preload: settings.preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // A hidden or minimised window reports document.visibilityState 'hidden' and gets no
    // animation frames: the Listen screen's live views stop painting (usePageVisibility).
    backgroundThrottling: true,
    devTools: settings.devTools,
  };
}

/** Options for the main window; shown once the first paint is ready. */
export function createWindowOptions(settings: WindowSettings): BrowserWindowConstructorOptions {
  return {
    width: 960,
    height: 680,
    minWidth: 480,
    minHeight: 360,
    title: 'Hark',
    show: false,
    webPreferences: createWebPreferences(settings),
  };
}
