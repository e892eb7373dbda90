import { describe, expect, it } from 'vitest';
import { createWebPreferences, createWindowOptions } from '../../app/main/window.js';

const settings = { preloadPath: '/app/out/preload/index.cjs', devTools: false };

describe('createWebPreferences', () => {
  it('isolates and sandboxes the renderer, without Node', () => {
    const prefs = createWebPreferences(settings);
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
  });

  it('keeps web security on and everything remote or experimental off', () => {
    const prefs = createWebPreferences(settings);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
    // Long-removed or dangerous options must never come back.
    for (const key of ['enableRemoteModule', 'enableBlinkFeatures', 'additionalArguments', 'disableBlinkFeatures']) {
      expect(prefs, key).not.toHaveProperty(key);
    }
  });

  it('lets a hidden or minimised window report itself hidden, so live views stop painting', () => {
    expect(createWebPreferences(settings).backgroundThrottling).toBe(true);
  });

  it('loads the given preload and DevTools only when asked', () => {
    expect(createWebPreferences(settings).preload).toBe(settings.preloadPath);
    expect(createWebPreferences(settings).devTools).toBe(false);
    expect(createWebPreferences({ ...settings, devTools: true }).devTools).toBe(true);
  });

  it('has exactly the reviewed keys', () => {
    expect(Object.keys(createWebPreferences(settings)).sort()).toEqual([
      'allowRunningInsecureContent', 'backgroundThrottling', 'contextIsolation', 'devTools', 'experimentalFeatures',
      'navigateOnDragDrop', 'nodeIntegration', 'nodeIntegrationInSubFrames', 'nodeIntegrationInWorker',
      'preload', 'safeDialogs', 'sandbox', 'spellcheck', 'webSecurity', 'webviewTag',
    ]);
  });
});

describe('createWindowOptions', () => {
  it('uses the hardened webPreferences and waits for the first paint', () => {
    const options = createWindowOptions(settings);
    expect(options.webPreferences).toEqual(createWebPreferences(settings));
    expect(options.show).toBe(false);
    expect(options.title).toBe('Hark');
  });
});
