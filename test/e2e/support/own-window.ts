// Chromium with a window that hides as a user's does, for what a hidden page does.
// Playwright's own launch turns on focus emulation for every page it opens, which keeps
// document.visibilityState 'visible' whatever becomes of the window: on Chromium 156
// neither minimising the window (Browser.setWindowBounds) nor a tab in front hides it.
// So Chromium is started here (headless, the flags of launchChromium, a DevTools port)
// and Playwright attaches over CDP with noDefaults, driving the browser's own first tab;
// minimising its window then makes the page hidden and stops its animation frames.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM, chromiumArgs, type LaunchOptions } from './browser.js';

export interface OwnWindow {
  browser: Browser;
  page: Page;
  /** Chromium's browser process. */
  pid: number;
  /** Page errors and console errors seen so far. */
  errors: string[];
  /** Minimises the window and waits until the page reports itself hidden. */
  minimise(): Promise<void>;
  /** Restores the window and waits until the page reports itself visible. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

const VIEWPORT = { width: 1280, height: 860 }; // as openPage's

export async function launchOwnWindow(options: LaunchOptions): Promise<OwnWindow> {
  const profile = mkdtempSync(join(tmpdir(), 'hark-e2e-chromium-'));
  const child = spawn(CHROMIUM, [
    '--headless', ...chromiumArgs(options), '--remote-debugging-port=0', `--user-data-dir=${profile}`,
    '--no-first-run', '--no-default-browser-check', `--window-size=${VIEWPORT.width},${VIEWPORT.height}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'], detached: true }); // its own process group, so stop() ends its helpers too
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('error', () => undefined); // a failed spawn rejects the start-up wait below
  // Chromium's helper processes (crashpad, GPU, utility) outlive the browser process for a
  // moment and still write into the profile, so the whole group is ended and the removal
  // retries on ENOTEMPTY rather than failing the test it cleans up after (seen on CI).
  const stop = async (): Promise<void> => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { child.kill('SIGTERM'); }
      await exited;
    }
    if (child.pid !== undefined) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* the group has ended */ } }
    await rm(profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  };
  try {
    let output = '';
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Chromium printed no DevTools address in 30 s:\n${output}`)), 30_000);
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
        if (match) { clearTimeout(timer); resolve(match[1]); }
      });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`Chromium exited (${String(code)}):\n${output}`)); });
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
    });
    const browser = await chromium.connectOverCDP(endpoint, { noDefaults: true });
    const context = browser.contexts()[0];
    const page = context.pages()[0] ?? await context.waitForEvent('page');
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    const cdp: CDPSession = await context.newCDPSession(page);
    const { windowId } = await cdp.send('Browser.getWindowForTarget');
    // Polled on a timer: a hidden page gets no animation frames, Playwright's default polling.
    const becomes = async (state: 'hidden' | 'visible'): Promise<void> => {
      await page.waitForFunction((s) => document.visibilityState === s, state, { polling: 100, timeout: 10_000 });
    };
    return {
      browser, page, pid: child.pid!, errors,
      async minimise() {
        await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'minimized' } });
        await becomes('hidden');
      },
      async restore() {
        await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'normal' } });
        await becomes('visible');
      },
      async close() {
        await browser.close().catch(() => undefined);
        await stop();
      },
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
